// Package param reads a strategy's parameters from the run config by name, with defaults and
// validation, so that every reference strategy documents and checks its parameters the same
// way.
//
// A strategy declares its parameters once, as a []Spec (name, default, one-line doc), which
// the registry prints. In Start it reads them through a Reader over Broker.Param:
//
//	r := param.NewReader("swing", br.Param)
//	fast := r.Int(ParamFast, 1, 100000)
//	size := r.Float(ParamSize, 0, 1)
//	if err := r.Err(); err != nil {
//		return err
//	}
//
// A parameter that is unset or set to the empty string takes its Spec default. A Reader's
// error is sticky and lists every invalid parameter; each wraps ErrInvalid.
package param
