package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// strategyJSON is one strategy in bt strategies --json.
type strategyJSON struct {
	Name    string      `json:"name"`
	Default bool        `json:"default"`
	Summary string      `json:"summary"`
	Params  []paramJSON `json:"params"`
}

type paramJSON struct {
	Name     string `json:"name"`
	Default  string `json:"default"`
	Required bool   `json:"required"`
	Doc      string `json:"doc"`
}

func newStrategiesCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "strategies",
		Short: "List the reference strategies and their parameters",
		Long: `Lists the strategies bt run can run, with their parameters and defaults. Set a parameter in an
experiment under strategy.params, or with --set strategy.params.NAME=VALUE.`,
		Args: argsBetween(0, 0),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			var list []strategyJSON
			for _, n := range e.cat.Names() {
				info, _ := e.cat.Lookup(n)
				s := strategyJSON{Name: n, Default: n == e.cat.Default(), Summary: info.Summary, Params: []paramJSON{}}
				for _, p := range info.Params {
					s.Params = append(s.Params, paramJSON{p.Name, p.Default, p.Required, p.Doc})
				}
				list = append(list, s)
			}
			if asJSON {
				return writeJSON(e.stdout, map[string]any{"strategies": list})
			}
			for i, s := range list {
				if i > 0 {
					fmt.Fprintln(e.stdout)
				}
				def := ""
				if s.Default {
					def = " (default)"
				}
				fmt.Fprintf(e.stdout, "%s%s: %s\n", s.Name, def, s.Summary)
				t := newTable(e.stdout)
				for _, p := range s.Params {
					d := p.Default
					if p.Required {
						d = "(required)"
					} else if d == "" {
						d = `""`
					}
					t.row("  "+p.Name, d, p.Doc)
				}
				t.flush()
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}
