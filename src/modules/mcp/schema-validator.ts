import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv'
import type { JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js'

/**
 * One JSON Schema validator for every MCP client. By default each SDK Client builds its own Ajv and
 * compiles every tool's output schema again; with hundreds of sessions that was most of a sweep's CPU.
 * Validators are shared by schema text.
 */
const ajv = new AjvJsonSchemaValidator()
const compiled = new Map<string, JsonSchemaValidator<unknown>>()
const maxCompiled = 2_000

export const sharedSchemaValidator: jsonSchemaValidator = {
  getValidator<T>(schema: Parameters<jsonSchemaValidator['getValidator']>[0]) {
    const key = JSON.stringify(schema)
    let validator = compiled.get(key)
    if (!validator) {
      if (compiled.size >= maxCompiled) compiled.clear()
      validator = ajv.getValidator(schema)
      compiled.set(key, validator)
    }
    return validator as JsonSchemaValidator<T>
  },
}
