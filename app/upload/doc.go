// Package upload stores images that members attach to posts. It decides what a file
// is by its content, never by its name or the browser's word: only PNG, JPEG, GIF and
// WebP whose headers really decode are kept. Files are content-addressed on disk
// (<dir>/<first two hex digits>/<sha256>.<ext>, written atomically) and recorded in
// the uploads table, so identical images are stored once. Avatars are the one
// kind whose pixels are decoded: cropped square, scaled and stored as a new PNG
// (SaveAvatar). HTTP, headers and who may upload belong to app/web; rendering
// image links belongs to app/markup.
package upload
