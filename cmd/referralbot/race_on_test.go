//go:build race

package main

// raceDetector reports whether the tests run with -race, which makes them several
// times slower.
const raceDetector = true
