package reports

import (
	"errors"
	"io"

	"github.com/bt-backtest/bt/reports/artifact"
)

func render(dir string, runs []*artifact.Run) error { return errors.New("reports: Render not implemented yet") }
func writeHTML(w io.Writer, runs []*artifact.Run) error {
	return errors.New("reports: WriteHTML not implemented yet")
}
