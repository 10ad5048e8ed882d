CREATE TABLE `checks` (
	`server_id` text NOT NULL,
	`checked_at` integer NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`latency_ms` real,
	`error` text,
	PRIMARY KEY(`server_id`, `checked_at`),
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `rollups` (
	`server_id` text NOT NULL,
	`period` text NOT NULL,
	`start` integer NOT NULL,
	`count` integer NOT NULL,
	`up` integer NOT NULL,
	`min_ms` real,
	`max_ms` real,
	`sum_ms` real NOT NULL,
	`hist` text NOT NULL,
	PRIMARY KEY(`server_id`, `period`, `start`),
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `servers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`transport` text DEFAULT 'auto' NOT NULL,
	`headers` text DEFAULT '{}' NOT NULL,
	`interval_s` integer,
	`timeout_ms` integer,
	`failure_threshold` integer,
	`success_threshold` integer,
	`active_transport` text,
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