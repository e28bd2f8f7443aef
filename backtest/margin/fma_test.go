package margin

import (
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"
)

// TestNoFusableFloatProducts enforces the float rule of screen.go: in the non-test code of
// this package every float64 product is rounded explicitly, float64(x*y), unless it is an
// operand of another multiplication, a division or a comparison (which cannot fuse). Go may
// fuse x*y + z into one FMA instruction on arm64, ppc64le, s390x and riscv64, which rounds
// once instead of twice; an explicit conversion forbids that, so float results (screening,
// Equity, Risk, path marks) are the same on every machine. The check type-checks the package
// from source (types are needed to tell float products from integer ones).
func TestNoFusableFloatProducts(t *testing.T) {
	pkg, err := build.ImportDir(".", 0) // the non-test files of this build configuration
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	if _, err := conf.Check("margin", fset, files, info); err != nil {
		t.Fatalf("type-checking the package: %v", err)
	}
	isFloatProduct := func(e ast.Expr) bool {
		b, ok := ast.Unparen(e).(*ast.BinaryExpr)
		if !ok || b.Op != token.MUL {
			return false
		}
		tv := info.Types[b]
		basic, ok := tv.Type.Underlying().(*types.Basic)
		return ok && basic.Info()&types.IsFloat != 0 && tv.Value == nil // constants fold exactly
	}
	for _, f := range files {
		// allowed records the products whose context cannot fuse them.
		allowed := map[ast.Expr]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "float64" && len(n.Args) == 1 {
					allowed[ast.Unparen(n.Args[0])] = true
				}
			case *ast.BinaryExpr:
				switch n.Op {
				case token.MUL, token.QUO, token.LSS, token.LEQ, token.GTR, token.GEQ, token.EQL, token.NEQ:
					allowed[ast.Unparen(n.X)] = true
					allowed[ast.Unparen(n.Y)] = true
				}
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			if e, ok := n.(ast.Expr); ok && isFloatProduct(e) && !allowed[e] {
				t.Errorf("%s: float product %s is not rounded explicitly: write float64(...)",
					fset.Position(e.Pos()), types.ExprString(e))
			}
			return true
		})
	}
}
