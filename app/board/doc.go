// Package board owns boards (categories, nested one level) with their names and
// descriptions per language and who may post in them.
package board
