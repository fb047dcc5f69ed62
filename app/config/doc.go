// Package config reads every setting of a node from SCHWARM_* environment variables
// into one Config struct. Each field declares its variable, default and help text;
// the README's configuration table is generated from them (see Table).
package config
