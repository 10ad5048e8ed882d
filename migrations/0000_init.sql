CREATE TABLE `checks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`server_id` text NOT NULL,
	`checked_at` integer NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`latency_ms` real,
	`error` text,
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `checks_server_time_idx` ON `checks` (`server_id`,`checked_at`);--> statement-breakpoint
CREATE INDEX `checks_time_idx` ON `checks` (`checked_at`);--> statement-breakpoint
CREATE TABLE `servers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`transport` text DEFAULT 'auto' NOT NULL,
	`headers` text DEFAULT '{}' NOT NULL,
	`interval_s` integer,
	`timeout_ms` integer,
	`tags` text DEFAULT '[]' NOT NULL,
	`status` text DEFAULT 'unknown' NOT NULL,
	`status_reason` text,
	`capabilities` text DEFAULT '{}' NOT NULL,
	`latency_ms` real,
	`last_checked_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `servers_status_idx` ON `servers` (`status`);