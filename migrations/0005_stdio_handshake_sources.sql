ALTER TABLE `checks` ADD `handshake_ms` real;--> statement-breakpoint
ALTER TABLE `servers` ADD `command` text;--> statement-breakpoint
ALTER TABLE `servers` ADD `args` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `servers` ADD `env` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `servers` ADD `env_names` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `servers` ADD `cwd` text;--> statement-breakpoint
ALTER TABLE `servers` ADD `pid` integer;--> statement-breakpoint
ALTER TABLE `servers` ADD `process_started_at` integer;--> statement-breakpoint
ALTER TABLE `servers` ADD `restarts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `servers` ADD `last_exit` text;--> statement-breakpoint
ALTER TABLE `servers` ADD `handshake_ms` real;--> statement-breakpoint
ALTER TABLE `tool_calls` ADD `source` text DEFAULT 'chat' NOT NULL;