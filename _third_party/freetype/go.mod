module github.com/golang/freetype

go 1.23.0

require golang.org/x/image v0.30.0
