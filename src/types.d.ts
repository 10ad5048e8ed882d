declare module '*.sql' {
  const text: string
  export default text
}

// Swagger UI's assets are imported as text so they are embedded into the binary.
declare module 'swagger-ui-dist/*' {
  const text: string
  export default text
}
