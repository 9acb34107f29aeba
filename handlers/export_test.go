package handlers

// DecodeInteraction is decodeInteraction, for the external tests.
var DecodeInteraction = decodeInteraction
