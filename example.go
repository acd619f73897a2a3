// Package aggregatord holds what belongs to the repository as a whole:
// the example configuration, embedded so that the demo and tests use the
// very file an operator starts from.
package aggregatord

import _ "embed"

//go:embed config.example.toml
var exampleConfig []byte

// ExampleConfig returns the contents of config.example.toml.
func ExampleConfig() []byte { return append([]byte(nil), exampleConfig...) }
