CREATE TABLE `toolsets` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`servers` text,
	`tags` text,
	`tools` text,
	`prefix` integer DEFAULT true NOT NULL,
	`discovery` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `toolsets_name_unique` ON `toolsets` (`name`);--> statement-breakpoint
ALTER TABLE `api_keys` ADD `toolset` text;