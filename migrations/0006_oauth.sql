ALTER TABLE `servers` ADD `oauth` text;--> statement-breakpoint
ALTER TABLE `servers` ADD `oauth_client` text;--> statement-breakpoint
ALTER TABLE `servers` ADD `oauth_tokens` text;--> statement-breakpoint
ALTER TABLE `servers` ADD `oauth_discovery` text;--> statement-breakpoint
ALTER TABLE `servers` ADD `oauth_challenge` text;--> statement-breakpoint
ALTER TABLE `servers` ADD `auth_grant` text;--> statement-breakpoint
ALTER TABLE `servers` ADD `auth_state` text;--> statement-breakpoint
ALTER TABLE `servers` ADD `auth_scopes` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `servers` ADD `auth_expires_at` integer;--> statement-breakpoint
ALTER TABLE `servers` ADD `auth_error` text;