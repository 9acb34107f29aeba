package main

import (
	"context"
	"io"
)

func demo(ctx context.Context, stdout io.Writer) error { return nil }
