package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/referralbot/referralbot/store"
)

// backup copies the database at DATABASE_PATH to the path given, online.
func backup(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] == "" {
		return fmt.Errorf("%w: referralbot backup PATH (the copy's path; it must not exist)", errUsage)
	}
	path := os.Getenv("DATABASE_PATH")
	if path == "" {
		path = "referralbot.db"
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", path, args[0])
	return nil
}
