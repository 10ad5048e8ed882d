CREATE TABLE `tool_calls` (
	`id` integer PRIMARY KEY NOT NULL,
	`server_id` text NOT NULL,
	`called_at` integer NOT NULL,
	`tool` text NOT NULL,
	`ok` integer NOT NULL,
	`latency_ms` real NOT NULL,
	`error` text,
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tool_calls_server_time_idx` ON `tool_calls` (`server_id`,`called_at`);--> statement-breakpoint
CREATE INDEX `tool_calls_time_idx` ON `tool_calls` (`called_at`);