package store

// GoMigrations exposes the migrations written in Go to the tests that step a
// database through the schema's versions.
var GoMigrations = goMigrations
