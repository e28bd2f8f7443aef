package backtest

import (
	"errors"
	"math"
	"slices"

	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/internal/exact"
	"github.com/shopspring/decimal"
)

// Broker is a strategy's handle on its own account. All times are from the data. A Broker is
// only valid inside the strategy calls of its run, on the goroutine that made them.
type Broker struct {
	a    *account
	hint int // the index sym found last (a strategy names one symbol several times in a row)
}

// Now returns the current time: the close time of the bars being delivered (Unix ms), or the
// bar's open time during fill, liquidation and funding hooks.
func (br *Broker) Now() int64 { return br.a.now }

// Symbols returns the run's symbols, sorted; Bar.ID indexes it. The slice must not be modified.
func (br *Broker) Symbols() []string { return br.a.symbols }

func (br *Broker) sym(symbol string) (int, bool) {
	if k := br.hint; k < len(br.a.symbols) && br.a.symbols[k] == symbol {
		return k, true // the symbols are distinct: BinarySearch's answer
	}
	a := br.a
	if a.symIdx == nil {
		a.symIdx = make(map[string]int, len(a.symbols))
		for k, s := range a.symbols {
			a.symIdx[s] = k
		}
	}
	if k, ok := a.symIdx[symbol]; ok { // one hash instead of a binary search's string comparisons
		br.hint = k
		return k, true
	}
	return slices.BinarySearch(a.symbols, symbol) // (where it would be, false)
}

// Submit places an order. It returns the order's id, or a *RejectError when the order is
// refused at placement (the rejection is also recorded in the account's Rejects). Orders
// reach the market at the symbol's next bar: none fills on the bar that is being delivered.
func (br *Broker) Submit(o Order) (OrderID, error) {
	a := br.a
	i, ok := br.sym(o.Symbol)
	var ref decimal.Decimal // the price the margin check uses, once known
	// a market order's ref as marketRef's coefficient refC·10^refE, its Decimal made only when
	// read (lazy: not made yet): by the stop-loss/take-profit check or the Decimal margin check,
	// before any refusal that records it
	var refC int64
	var refE int32
	lazy := false
	fail := func(err error) (OrderID, error) {
		px := ref
		if px.IsZero() {
			px = o.Price
			if o.Type == StopMarket || o.Type == TakeProfitMarket {
				px = o.Trigger
			}
		}
		a.res.Rejects = append(a.res.Rejects, orderReject(a.now, &o, 0, px, err))
		return 0, newReject(o, "order", err)
	}
	slSign, tpSign := o.StopLoss.Sign(), o.TakeProfit.Sign() // read once: zero is none
	switch {
	case a.stopped:
		return fail(ErrStopped)
	case !ok:
		return fail(ErrUnknownSymbol)
	case o.Side != Buy && o.Side != Sell, o.Type > TakeProfitMarket:
		return fail(ErrInvalidOrder)
	case !o.ClosePosition && o.Qty.Sign() <= 0:
		return fail(ErrInvalidOrder)
	case o.Type == Limit && o.Price.Sign() <= 0:
		return fail(ErrInvalidOrder)
	case (o.Type == StopMarket || o.Type == TakeProfitMarket) && o.Trigger.Sign() <= 0:
		return fail(ErrInvalidOrder)
	case slSign < 0 || tpSign < 0:
		return fail(ErrInvalidOrder)
	}
	decision := a.decide(i) // counted whether the order is refused or not
	if (o.PositionSide == margin.Both) != (a.shorts == nil) || o.PositionSide > margin.Short {
		return fail(margin.ErrPositionSide)
	}
	last := a.lastOf(i)
	if math.IsNaN(last) {
		return fail(ErrNoPrice)
	}
	pos, posF := a.acct.QtyFix(i, o.PositionSide)
	reduce := o.ReduceOnly || o.ClosePosition
	if reduce && (pos.IsZero() || pos.IsPositive() == (o.Side == Buy)) {
		return fail(margin.ErrReduceOnly)
	}
	switch o.Type {
	case Market:
		// the close on today's tick: data may be finer (BTCUSDT traded at 0.01 in 2020)
		if refC, refE, lazy = a.marketRefCoef(i); !lazy {
			ref = a.marketRef(i)
		}
	case Limit:
		ref = o.Price
		if o.PostOnly && (o.Side == Buy && o.Price.InexactFloat64() >= last || o.Side == Sell && o.Price.InexactFloat64() <= last) {
			return fail(ErrPostOnly)
		}
	default:
		ref = o.Trigger
		lvl := o.Trigger.InexactFloat64()
		rising := o.Side == Buy
		if o.Type == TakeProfitMarket {
			rising = o.Side == Sell
		}
		if rising && last >= lvl || !rising && last <= lvl {
			return fail(ErrWouldTrigger)
		}
	}
	if lazy && (slSign != 0 || tpSign != 0) {
		ref, lazy = a.marketRef(i), false
	}
	// attached stop-loss below (long) or above (short) the entry, take-profit the other way
	if slSign != 0 && (o.Side == Buy) != o.StopLoss.LessThan(ref) ||
		tpSign != 0 && (o.Side == Buy) != o.TakeProfit.GreaterThan(ref) {
		return fail(ErrWouldTrigger)
	}
	var sell decimal.Decimal // −Qty of a sell, kept with the order for its fill
	var oc int64             // Qty's coefficient and exponent when ook, kept for openOrderIM
	var oe int32
	ook := false
	if !o.ClosePosition {
		q := o.Qty
		var qc int64
		var qe int32
		var qok bool
		// a long's exit is often its position's quantity, which the ledger has read (its Fix
		// taken as exact.Coef's when it has at most 18 digits)
		if c, e, ok := posF.Coef(); q == pos && ok && c > -1e18 && c < 1e18 {
			qc, qe, qok = c, e, true
		} else {
			qc, qe, qok = exact.Coef(q)
		}
		oc, oe, ook = qc, qe, qok
		if o.Side == Sell {
			if qok { // q > 0: −qc fits
				qc = -qc
				q = decimal.New(qc, qe) // q.Neg(), value and exponent, one word's allocation
			} else {
				q = q.Neg()
			}
			sell = q
		}
		if reduce && cmpAbsFix(q, qc, qe, qok, pos, posF) > 0 {
			q = pos.Neg() // a reduce-only order larger than the position is cut to it when it fills
			qc, qe, qok = exact.Coef(q)
		}
		// the margin check on the coefficients when it surely passes, else on the Decimals
		if !lazy || !qok || !a.acct.CanOpenLegSure(i, o.PositionSide, qc, qe, refC, refE, reduce) {
			if lazy {
				ref, lazy = a.marketRef(i), false
			}
			if err := a.acct.CanOpenLeg(i, o.PositionSide, q, ref, reduce); err != nil {
				return fail(err)
			}
		}
	}
	r := a.add(&o, i, true)
	r.decision, r.sellQty, r.qc, r.qe, r.qok = decision, sell, oc, oe, ook
	id := r.id
	a.updateOpenOrders(i)
	return id, nil
}

// Cancel cancels an open order (ErrNoSuchOrder when it is not open).
func (br *Broker) Cancel(id OrderID) error {
	a := br.a
	k := a.find(id)
	if k < 0 {
		return &RejectError{Action: "cancel", Reason: ErrNoSuchOrder}
	}
	sym := a.orders[k].sym
	if peer := a.orders[k].oco; peer != 0 {
		a.orders[k].oco = 0
		if j := a.find(peer); j >= 0 {
			a.orders[j].oco = 0
		}
	}
	a.removeAt(k)
	a.updateOpenOrders(sym)
	return nil
}

// CancelAll cancels every open order of symbol ("" : of every symbol).
func (br *Broker) CancelAll(symbol string) error {
	a := br.a
	if symbol == "" {
		a.cancelWhere(func(*order) bool { return true })
		return nil
	}
	i, ok := br.sym(symbol)
	if !ok {
		return &RejectError{Order: Order{Symbol: symbol}, Action: "cancel", Reason: ErrUnknownSymbol}
	}
	a.cancelWhere(func(o *order) bool { return o.sym == i })
	return nil
}

// OpenOrders returns the open orders of symbol ("": all), in id order. It allocates.
func (br *Broker) OpenOrders(symbol string) []Order {
	var out []Order
	for k := range br.a.orders {
		if o := &br.a.orders[k]; symbol == "" || o.Symbol == symbol {
			out = append(out, o.Order)
		}
	}
	return out
}

// OpenOrderIDs returns the ids of the open orders of symbol ("": all), in id order.
func (br *Broker) OpenOrderIDs(symbol string) []OrderID {
	var out []OrderID
	for k := range br.a.orders {
		if o := &br.a.orders[k]; symbol == "" || o.Symbol == symbol {
			out = append(out, o.id)
		}
	}
	return out
}

// action records a refused account action and wraps it for the strategy.
func (br *Broker) action(symbol, action string, err error) error {
	a := br.a
	a.res.Rejects = append(a.res.Rejects, Reject{Time: a.now, Symbol: symbol, Action: action, Reason: rejectReason(err), Code: rejectCode(err)})
	return newReject(Order{Symbol: symbol}, action, err)
}

// change applies a ledger change of symbol (do, given its index) for an account action and
// reloads the symbol's float shadow. An unknown symbol, a stopped account and do's error are
// refusals: recorded and returned as *RejectError.
func (br *Broker) change(symbol, action string, do func(i int) error) (int, error) {
	i, ok := br.sym(symbol)
	if !ok {
		return i, br.action(symbol, action, ErrUnknownSymbol)
	}
	if br.a.stopped {
		return i, br.action(symbol, action, ErrStopped)
	}
	if err := do(i); err != nil {
		return i, br.action(symbol, action, err)
	}
	br.a.refreshSym(i)
	return i, nil
}

// SetLeverage sets the leverage of symbol; refusals are *RejectError and recorded.
func (br *Broker) SetLeverage(symbol string, lev int) error {
	i, err := br.change(symbol, "leverage", func(i int) error { return br.a.acct.SetLeverage(i, lev) })
	if err == nil {
		br.a.refreshRuin()
		br.a.updateOpenOrders(i)
	}
	return err
}

// SetMarginMode sets the margin mode of symbol; refusals (open position or orders) are
// *RejectError and recorded.
func (br *Broker) SetMarginMode(symbol string, m margin.Mode) error {
	_, err := br.change(symbol, "mode", func(i int) error { return br.a.acct.SetMode(i, m) })
	return err
}

// AddMargin moves amount into symbol's isolated wallet (negative: removes it); refusals are
// *RejectError and recorded.
func (br *Broker) AddMargin(symbol string, amount decimal.Decimal) error {
	_, err := br.change(symbol, "margin", func(i int) error { return br.a.acct.AddMargin(i, amount) })
	if err == nil {
		br.a.refreshWallet()
	}
	return err
}

// SetPositionMode sets the account's position mode (margin.OneWay or margin.Hedge, Binance's
// dual-side setting, account-wide). It is refused while the account has open orders
// (margin.ErrPositionModeWithOrders, Binance -4067) or an open position
// (margin.ErrPositionModeWithPosition, -4068): *RejectError, recorded.
func (br *Broker) SetPositionMode(m margin.PositionMode) error {
	a := br.a
	if a.stopped {
		return br.action("", "position mode", ErrStopped)
	}
	if len(a.orders) > 0 {
		// the ledger learns of open orders per symbol; name the first order's symbol
		return br.action(a.orders[0].Symbol, "position mode", margin.ErrPositionModeWithOrders)
	}
	if err := a.acct.SetPositionMode(m); err != nil {
		var re *margin.RejectError
		sym := ""
		if errors.As(err, &re) {
			sym = re.Symbol
		}
		return br.action(sym, "position mode", err)
	}
	if (m == margin.Hedge) != (a.shorts != nil) {
		a.setLegs()
	}
	return nil
}

// PositionMode returns the account's position mode.
func (br *Broker) PositionMode() margin.PositionMode { return br.a.acct.PositionMode() }

// AddLegMargin is AddMargin on symbol's position side ps (in hedge mode each isolated leg has
// its own wallet).
func (br *Broker) AddLegMargin(symbol string, ps margin.PositionSide, amount decimal.Decimal) error {
	_, err := br.change(symbol, "margin", func(i int) error { return br.a.acct.AddLegMargin(i, ps, amount) })
	if err == nil {
		br.a.refreshWallet()
	}
	return err
}

// Position returns the position of symbol (the zero Position for an unknown symbol); in hedge
// mode its LONG leg (see PositionOf).
func (br *Broker) Position(symbol string) margin.Position {
	i, ok := br.sym(symbol)
	if !ok {
		return margin.Position{Symbol: symbol}
	}
	return br.a.acct.Position(i)
}

// PositionOf returns the position of symbol on side ps: margin.Both in one-way mode, the LONG
// or SHORT leg in hedge mode (a side the mode does not have, or an unknown symbol: flat).
func (br *Broker) PositionOf(symbol string, ps margin.PositionSide) margin.Position {
	i, ok := br.sym(symbol)
	if !ok {
		return margin.Position{Symbol: symbol, Side: ps}
	}
	return br.a.acct.PositionOf(i, ps)
}

// Instrument returns the instrument of symbol as this run trades it (tick, step, minimum
// notional, liquidation fee, brackets), and false for a symbol the run does not have.
func (br *Broker) Instrument(symbol string) (margin.Instrument, bool) {
	i, ok := br.sym(symbol)
	if !ok {
		return margin.Instrument{}, false
	}
	return br.a.syms[i].inst, true
}

// Available returns the balance available for new orders.
func (br *Broker) Available() decimal.Decimal { return br.a.acct.Available() }

// Equity returns the margin balance (wallets plus unrealized PnL) at the current marks.
func (br *Broker) Equity() float64 { return br.a.acct.Equity() }

// MarginRatio returns the highest margin ratio of the cross account and the isolated
// positions (1 means liquidation).
func (br *Broker) MarginRatio() float64 { return br.a.acct.Snapshot().MaxMarginRatio }

// LiquidationPrice returns symbol's current liquidation price, false when flat or <= 0.
func (br *Broker) LiquidationPrice(symbol string) (decimal.Decimal, bool) {
	i, ok := br.sym(symbol)
	if !ok {
		return decimal.Zero, false
	}
	return br.a.acct.LiquidationPriceOf(i)
}

// LegLiquidationPrice returns the liquidation price of symbol's position side ps (hedge mode:
// cross legs of a symbol share one, isolated legs have their own), false when flat or <= 0.
func (br *Broker) LegLiquidationPrice(symbol string, ps margin.PositionSide) (decimal.Decimal, bool) {
	i, ok := br.sym(symbol)
	if !ok {
		return decimal.Zero, false
	}
	return br.a.acct.LegLiquidationPrice(i, ps)
}

// Bars returns up to n most recent completed bars of symbol, oldest first. The slice is valid
// until the strategy returns and must not be modified; it allocates nothing.
func (br *Broker) Bars(symbol string, n int) []Bar {
	i, ok := br.sym(symbol)
	if !ok {
		return nil
	}
	return br.a.hist.syms[i].upto(br.a.seenOf(i), min(n, br.a.cfg.History))
}

// Param returns the named strategy parameter from the run config (ok=false when unset).
func (br *Broker) Param(name string) (string, bool) {
	v, ok := br.a.cfg.Params[name]
	return v, ok
}

// Account returns the name of the account the strategy runs in ("isolated", "cross", ...).
func (br *Broker) Account() string { return br.a.setup.Name }

// BatchIndex returns the index of the batch being stepped within the batches last handed to
// Signals.Prepare (see SignalSharer): a strategy reads its shared signals at this index. It is
// 0 when the engine steps batch by batch (Prepare then gets one batch at a time).
func (br *Broker) BatchIndex() int { return br.a.row }
