package main

import (
	"context"
	"fmt"
	"io"
)

// backup copies the database at DATABASE_PATH to the path given, online.
func backup(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] == "" {
		return fmt.Errorf("%w: referralbot backup PATH (the copy's path; it must not exist)", errUsage)
	}
	db, err := openReportDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", db.Path(), args[0])
	return nil
}
