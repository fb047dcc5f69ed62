// Package markup turns post markdown into safe HTML once, on write: goldmark (GFM)
// then a bluemonday policy. Its output is stored and served as is; nothing else in
// the code base may produce HTML from user input.
package markup
