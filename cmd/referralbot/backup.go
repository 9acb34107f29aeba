package main

import (
	"context"
	"fmt"
)

// backupCmd copies the database at DATABASE_PATH to the path given, online.
func backupCmd(ctx context.Context, c command) error {
	if len(c.args) != 1 || c.args[0] == "" {
		return fmt.Errorf("%w: referralbot backup PATH (the copy's path; it must not exist)", errUsage)
	}
	a, err := offline(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.DB.Backup(ctx, c.args[0]); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "backed up %s to %s\n", a.DB.Path(), c.args[0])
	return nil
}
