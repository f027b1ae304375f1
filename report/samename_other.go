//go:build !windows

package report

func sameName(a, b string) bool { return a == b }
