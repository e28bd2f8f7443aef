package experiment

import "runtime/debug"

// Version returns the version of the running program as recorded in its build info: the main
// module's version, else "devel" with the VCS revision (and -dirty for modified sources).
// Run records it in manifest.json unless Options.Version is set.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.modified" && s.Value == "true" && v != "devel" {
				v += "-dirty"
			}
		}
	}
	return v
}
