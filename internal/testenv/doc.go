// Package testenv is what bt's tests share about their environment: where the repository and
// the read-only shared material (../shared beside the repository root) are, and how a test that
// needs an external program or data behaves when they are missing: it skips with a clear
// message, except under CI (CI=true), where a missing program is a failure.
package testenv
