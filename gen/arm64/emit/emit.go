// Package emit writes Go arm64 assembly for scorekit's NEON generators.
//
// Go's assembler (cmd/asm) accepts the integer and memory side of Advanced
// SIMD (VLD1/VST1, VDUP, VMOV, VEOR/VAND/VORR/VBIT/VBIF/VBSL, integer
// VADD/VSUB, VUSHR/VSHL, VFMLA/VFMLS) but not the vector floating-point
// arithmetic. An Emitter writes plain assembler text for the former and,
// for each instruction the assembler rejects, a typed helper that checks
// its register numbers and writes the encoding as a WORD with the
// instruction beside it:
//
//	WORD $0x4e21d402 // FADD V2.4S, V0.4S, V1.4S
//
// Every helper takes its operands in the Arm order (destination first),
// including the helpers for instructions Go spells with reversed operands.
// The encodings are checked against llvm-mc in the package's golden test.
//
// An Emitter also writes the Go declarations of the functions it
// assembled (the stub file). Output depends only on the calls made, so it
// is reproducible byte for byte.
package emit

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
)

// V is a vector register, V0–V31. Its low 32 bits are the scalar F
// register of the same number.
type V uint8

// R is a general-purpose register. Go reserves R18 (platform), R27 (the
// assembler's temporary), R28 (g) and R29 (frame pointer): the helpers
// refuse them.
type R uint8

func (v V) check() {
	if v > 31 {
		panic(fmt.Sprintf("emit: vector register V%d out of range", v))
	}
}

func (r R) check() {
	if r > 30 || r == 18 || r == 27 || r == 28 || r == 29 {
		panic(fmt.Sprintf("emit: general register R%d is reserved or out of range", r))
	}
}

// S4 is the register as four float32/int32 lanes in Go syntax: V3.S4.
func (v V) S4() string { v.check(); return fmt.Sprintf("V%d.S4", v) }

// B16 is the register as sixteen bytes in Go syntax: V3.B16.
func (v V) B16() string { v.check(); return fmt.Sprintf("V%d.B16", v) }

// F is the scalar float32 register aliasing v's lane 0: F3.
func (v V) F() string { v.check(); return fmt.Sprintf("F%d", v) }

// Lane is lane i of v as a 32-bit element in Go syntax: V3.S[1].
func (v V) Lane(i int) string {
	v.check()
	if i < 0 || i > 3 {
		panic(fmt.Sprintf("emit: lane %d of V%d out of range", i, v))
	}
	return fmt.Sprintf("V%d.S[%d]", v, i)
}

// arm4S is v in Arm syntax, for comments: V3.4S.
func (v V) arm4S() string { v.check(); return fmt.Sprintf("V%d.4S", v) }

// String is the register's name: R3.
func (r R) String() string { return fmt.Sprintf("R%d", uint8(r)) }

// reg checks r and returns its name (fmt would swallow a panic in String).
func (r R) reg() string { r.check(); return r.String() }

// Param is one parameter or result of a generated function: its name and
// Go type. The types the frame layout knows are []float32, []uint32,
// float32, uint32, int32, int, uint64, int64, uintptr and pointers.
type Param struct {
	Name string
	Type string
}

// Func describes one generated function.
type Func struct {
	Name     string   // Go name, e.g. DotNEON
	Doc      []string // doc comment lines of the stub, without "// "
	Params   []Param
	Results  []Param // a result with an empty name is called ret
	Requires string  // CPU features, for the comment above TEXT
}

func typeSize(t string) (size, align int) {
	switch {
	case strings.HasPrefix(t, "[]"):
		return 24, 8
	case strings.HasPrefix(t, "*"), t == "int", t == "uint", t == "uint64", t == "int64", t == "uintptr", t == "float64":
		return 8, 8
	case t == "float32", t == "uint32", t == "int32":
		return 4, 4
	}
	panic(fmt.Sprintf("emit: unknown parameter type %q", t))
}

func alignUp(n, a int) int { return (n + a - 1) / a * a }

// layout returns the frame offsets of every argument word by its
// assembler name (x_base, x_len, x_cap, alpha, ret) and the total size.
func (f *Func) layout() (map[string]int, int) {
	off := 0
	m := map[string]int{}
	place := func(p Param) {
		size, align := typeSize(p.Type)
		off = alignUp(off, align)
		if strings.HasPrefix(p.Type, "[]") {
			m[p.Name+"_base"] = off
			m[p.Name+"_len"] = off + 8
			m[p.Name+"_cap"] = off + 16
		} else {
			m[p.Name] = off
		}
		off += size
	}
	for _, p := range f.Params {
		place(p)
	}
	off = alignUp(off, 8)
	for _, p := range f.Results {
		if p.Name == "" {
			p.Name = "ret"
		}
		place(p)
	}
	return m, off
}

func (f *Func) signature() string {
	var b strings.Builder
	list := func(ps []Param) {
		for i, p := range ps {
			if i > 0 {
				b.WriteString(", ")
			}
			if p.Name != "" {
				b.WriteString(p.Name + " ")
			}
			b.WriteString(p.Type)
		}
	}
	fmt.Fprintf(&b, "%s(", f.Name)
	list(f.Params)
	b.WriteString(")")
	switch {
	case len(f.Results) == 1 && f.Results[0].Name == "":
		b.WriteString(" " + f.Results[0].Type)
	case len(f.Results) > 0:
		b.WriteString(" (")
		list(f.Results)
		b.WriteString(")")
	}
	return b.String()
}

// Emitter accumulates one assembly file and its stubs.
type Emitter struct {
	cmd   string
	body  bytes.Buffer
	funcs []*Func
	cur   *Func
	offs  map[string]int
	data  []dataSym
}

// dataSym is a read-only table of 32-bit words, written after the
// functions.
type dataSym struct {
	name  string
	words []uint32
}

// New returns an Emitter whose files say they were generated by cmd
// (e.g. "go run ../gen/arm64/level1 -out ../asm/level1_arm64.s").
func New(cmd string) *Emitter { return &Emitter{cmd: cmd} }

// TEXT starts function f: a NOSPLIT leaf with no locals.
func (e *Emitter) TEXT(f Func) {
	fc := f
	e.funcs = append(e.funcs, &fc)
	e.cur = &fc
	offs, size := fc.layout()
	e.offs = offs
	if e.body.Len() > 0 {
		e.body.WriteString("\n")
	}
	fmt.Fprintf(&e.body, "// func %s\n", fc.signature())
	if fc.Requires != "" {
		fmt.Fprintf(&e.body, "// Requires: %s\n", fc.Requires)
	}
	fmt.Fprintf(&e.body, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", fc.Name, size)
}

// Scratch returns an Emitter whose output is thrown away, inside the
// current function (so that Arg works), for a generator's dry runs.
func (e *Emitter) Scratch() *Emitter {
	return &Emitter{cmd: "scratch", cur: e.cur, offs: e.offs}
}

// Arg returns the frame operand of the current function's argument word
// name (x_base, x_len, alpha, ret, ...): x_base+0(FP).
func (e *Emitter) Arg(name string) string {
	off, ok := e.offs[name]
	if !ok {
		panic(fmt.Sprintf("emit: %s has no argument %s", e.cur.Name, name))
	}
	return fmt.Sprintf("%s+%d(FP)", name, off)
}

// Inst writes one instruction as given, in Go assembler syntax.
func (e *Emitter) Inst(format string, args ...any) {
	fmt.Fprintf(&e.body, "\t"+format+"\n", args...)
}

// Comment writes a comment line.
func (e *Emitter) Comment(format string, args ...any) {
	fmt.Fprintf(&e.body, "\n\t// "+format+"\n", args...)
}

// Label writes a label. Labels are local to the function in Go assembly.
func (e *Emitter) Label(name string) { fmt.Fprintf(&e.body, "%s:\n", name) }

// Word writes one encoded instruction with its Arm spelling beside it.
func (e *Emitter) Word(enc uint32, arm string) {
	fmt.Fprintf(&e.body, "\tWORD $0x%08x // %s\n", enc, arm)
}

// Asm returns the assembly file.
func (e *Emitter) Asm() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by command: %s. DO NOT EDIT.\n\n", e.cmd)
	b.WriteString("//go:build gc && !purego\n\n")
	b.WriteString("#include \"textflag.h\"\n\n")
	b.Write(e.body.Bytes())
	for _, d := range e.data {
		fmt.Fprintf(&b, "\n// %s: %d constants, read by VLDnR\n", d.name, len(d.words))
		for i, w := range d.words {
			fmt.Fprintf(&b, "DATA %s<>+%d(SB)/4, $0x%08x\n", d.name, 4*i, w)
		}
		fmt.Fprintf(&b, "GLOBL %s<>(SB), RODATA|NOPTR, $%d\n", d.name, 4*len(d.words))
	}
	return b.Bytes()
}

// Data defines the file-local read-only table name<> of words (written
// after the functions) and returns its address operand, name<>(SB). A
// name defined again must have the same words (it is shared).
func (e *Emitter) Data(name string, words []uint32) string {
	sym := name + "<>(SB)"
	for _, d := range e.data {
		if d.name == name {
			if !slices.Equal(d.words, words) {
				panic("emit: table " + name + " defined twice with different words")
			}
			return sym
		}
	}
	e.data = append(e.data, dataSym{name, slices.Clone(words)})
	return sym
}

// Stubs returns the Go declarations of the functions, in package pkg.
func (e *Emitter) Stubs(pkg string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by command: %s. DO NOT EDIT.\n\n", e.cmd)
	b.WriteString("//go:build gc && !purego\n\n")
	fmt.Fprintf(&b, "package %s\n", pkg)
	for _, f := range e.funcs {
		b.WriteString("\n")
		for _, l := range f.Doc {
			if l == "" {
				b.WriteString("//\n")
				continue
			}
			fmt.Fprintf(&b, "// %s\n", l)
		}
		if len(f.Doc) > 0 {
			b.WriteString("//\n")
		}
		b.WriteString("//go:noescape\n")
		fmt.Fprintf(&b, "func %s\n", f.signature())
	}
	return b.Bytes()
}

// WriteFiles writes the assembly to asmPath and the stubs (package pkg)
// to stubPath.
func (e *Emitter) WriteFiles(asmPath, stubPath, pkg string) error {
	if err := os.WriteFile(asmPath, e.Asm(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(stubPath, e.Stubs(pkg), 0o644)
}

// ---- Instructions the Go assembler accepts (Arm operand order). ----

// MOVD writes MOVD src, dst (src is an operand string: a register, $imm or
// an argument from Arg).
func (e *Emitter) MOVD(src string, dst R) { e.Inst("MOVD %s, %s", src, dst.reg()) }

// MOVW32 loads the 32-bit constant bits into r.
func (e *Emitter) MOVW32(bits uint32, r R) { e.Inst("MOVW $0x%08x, %s", bits, r.reg()) }

// VDUP sets every lane of d to the low 32 bits of r.
func (e *Emitter) VDUP(d V, r R) { e.Inst("VDUP %s, %s", r.reg(), d.S4()) }

// VDUPLane sets every lane of d to lane i of n.
func (e *Emitter) VDUPLane(d, n V, i int) { e.Inst("VDUP %s, %s", n.Lane(i), d.S4()) }

// VMOV copies n to d.
func (e *Emitter) VMOV(d, n V) { e.Inst("VMOV %s, %s", n.B16(), d.B16()) }

// VFMLA: d += n·m per lane, one rounding.
func (e *Emitter) VFMLA(d, n, m V) { e.Inst("VFMLA %s, %s, %s", m.S4(), n.S4(), d.S4()) }

// VFMLS: d −= n·m per lane, one rounding.
func (e *Emitter) VFMLS(d, n, m V) { e.Inst("VFMLS %s, %s, %s", m.S4(), n.S4(), d.S4()) }

// VEOR: d = n ^ m.
func (e *Emitter) VEOR(d, n, m V) { e.Inst("VEOR %s, %s, %s", m.B16(), n.B16(), d.B16()) }

// VAND: d = n & m.
func (e *Emitter) VAND(d, n, m V) { e.Inst("VAND %s, %s, %s", m.B16(), n.B16(), d.B16()) }

// VORR: d = n | m.
func (e *Emitter) VORR(d, n, m V) { e.Inst("VORR %s, %s, %s", m.B16(), n.B16(), d.B16()) }

// VBIT inserts n's bits into d where mask m is set: d = d&^m | n&m.
func (e *Emitter) VBIT(d, n, m V) { e.Inst("VBIT %s, %s, %s", m.B16(), n.B16(), d.B16()) }

// VBIF inserts n's bits into d where mask m is clear: d = d&m | n&^m.
func (e *Emitter) VBIF(d, n, m V) { e.Inst("VBIF %s, %s, %s", m.B16(), n.B16(), d.B16()) }

// VBSL selects with d as the mask: d = n&d | m&^d.
func (e *Emitter) VBSL(d, n, m V) { e.Inst("VBSL %s, %s, %s", m.B16(), n.B16(), d.B16()) }

// VADD: d = n + m, int32 lanes.
func (e *Emitter) VADD(d, n, m V) { e.Inst("VADD %s, %s, %s", m.S4(), n.S4(), d.S4()) }

// VSUB: d = n − m, int32 lanes.
func (e *Emitter) VSUB(d, n, m V) { e.Inst("VSUB %s, %s, %s", m.S4(), n.S4(), d.S4()) }

// VSHL: d = n << sh, 32-bit lanes.
func (e *Emitter) VSHL(d, n V, sh int) {
	checkShift(sh, 0, 31)
	e.Inst("VSHL $%d, %s, %s", sh, n.S4(), d.S4())
}

// VUSHR: d = n >> sh (logical), 32-bit lanes.
func (e *Emitter) VUSHR(d, n V, sh int) {
	checkShift(sh, 1, 32)
	e.Inst("VUSHR $%d, %s, %s", sh, n.S4(), d.S4())
}

func checkShift(sh, lo, hi int) {
	if sh < lo || sh > hi {
		panic(fmt.Sprintf("emit: shift %d out of range [%d, %d]", sh, lo, hi))
	}
}

func regList(vs []V) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.S4()
		if i > 0 && v != vs[i-1]+1 {
			panic("emit: a VLD/VST register list must be consecutive")
		}
	}
	if len(vs) < 1 || len(vs) > 4 {
		panic("emit: a VLD/VST takes 1 to 4 registers")
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// VLD1P loads len(vs) vectors (16 bytes each) from base and advances base.
func (e *Emitter) VLD1P(base R, vs ...V) {
	e.Inst("VLD1.P %d(%s), %s", 16*len(vs), base.reg(), regList(vs))
}

// VST1P stores len(vs) vectors to base and advances base.
func (e *Emitter) VST1P(base R, vs ...V) {
	e.Inst("VST1.P %s, %d(%s)", regList(vs), 16*len(vs), base.reg())
}

// VLD1 loads len(vs) vectors from base without advancing it.
func (e *Emitter) VLD1(base R, vs ...V) { e.Inst("VLD1 (%s), %s", base.reg(), regList(vs)) }

// VLDnRP loads len(vs) consecutive float32 from base, the i-th broadcast
// to every lane of vs[i] (LD1R to LD4R), and advances base by 4·len(vs).
func (e *Emitter) VLDnRP(base R, vs ...V) {
	e.Inst("VLD%dR.P %d(%s), %s", len(vs), 4*len(vs), base.reg(), regList(vs))
}

// FLDP loads one float32 from base into lane 0 of d (zeroing the other
// lanes) and advances base by 4.
func (e *Emitter) FLDP(base R, d V) { e.Inst("FMOVS.P 4(%s), %s", base.reg(), d.F()) }

// FSTP stores lane 0 of d to base and advances base by 4.
func (e *Emitter) FSTP(base R, d V) { e.Inst("FMOVS.P %s, 4(%s)", d.F(), base.reg()) }

// ---- Encoded instructions (WORD). ----

func rdnm(base uint32, d, n, m V) uint32 {
	d.check()
	n.check()
	m.check()
	return base | uint32(m)<<16 | uint32(n)<<5 | uint32(d)
}

func rdn(base uint32, d, n V) uint32 {
	d.check()
	n.check()
	return base | uint32(n)<<5 | uint32(d)
}

func (e *Emitter) three(base uint32, mn string, d, n, m V) {
	e.Word(rdnm(base, d, n, m), fmt.Sprintf("%s %s, %s, %s", mn, d.arm4S(), n.arm4S(), m.arm4S()))
}

func (e *Emitter) two(base uint32, mn string, d, n V) {
	e.Word(rdn(base, d, n), fmt.Sprintf("%s %s, %s", mn, d.arm4S(), n.arm4S()))
}

func (e *Emitter) zero(base uint32, mn string, d, n V) {
	e.Word(rdn(base, d, n), fmt.Sprintf("%s %s, %s, #0.0", mn, d.arm4S(), n.arm4S()))
}

// FADD: d = n + m, float32 lanes.
func (e *Emitter) FADD(d, n, m V) { e.three(0x4e20d400, "FADD", d, n, m) }

// FSUB: d = n − m.
func (e *Emitter) FSUB(d, n, m V) { e.three(0x4ea0d400, "FSUB", d, n, m) }

// FMUL: d = n · m.
func (e *Emitter) FMUL(d, n, m V) { e.three(0x6e20dc00, "FMUL", d, n, m) }

// FDIV: d = n / m.
func (e *Emitter) FDIV(d, n, m V) { e.three(0x6e20fc00, "FDIV", d, n, m) }

// FMAX: d = max(n, m), NaN if either is NaN, max(−0, +0) = +0.
func (e *Emitter) FMAX(d, n, m V) { e.three(0x4e20f400, "FMAX", d, n, m) }

// FMIN: d = min(n, m), NaN if either is NaN.
func (e *Emitter) FMIN(d, n, m V) { e.three(0x4ea0f400, "FMIN", d, n, m) }

// FADDP: pairwise add, d = (n0+n1, n2+n3, m0+m1, m2+m3).
func (e *Emitter) FADDP(d, n, m V) { e.three(0x6e20d400, "FADDP", d, n, m) }

// FADDPS: scalar pairwise add, lane 0 of d = n0 + n1.
func (e *Emitter) FADDPS(d, n V) {
	e.Word(rdn(0x7e30d800, d, n), fmt.Sprintf("FADDP S%d, V%d.2S", d, n))
}

// FMLA (vector) d += n·m; the same as VFMLA, for golden tests and
// completeness.
func (e *Emitter) FMLA(d, n, m V) { e.three(0x4e20cc00, "FMLA", d, n, m) }

// FCMEQ: d = n == m ? all ones : 0.
func (e *Emitter) FCMEQ(d, n, m V) { e.three(0x4e20e400, "FCMEQ", d, n, m) }

// FCMGE: d = n >= m ? all ones : 0.
func (e *Emitter) FCMGE(d, n, m V) { e.three(0x6e20e400, "FCMGE", d, n, m) }

// FCMGT: d = n > m ? all ones : 0.
func (e *Emitter) FCMGT(d, n, m V) { e.three(0x6ea0e400, "FCMGT", d, n, m) }

// FCMEQZ: d = n == 0 ? all ones : 0.
func (e *Emitter) FCMEQZ(d, n V) { e.zero(0x4ea0d800, "FCMEQ", d, n) }

// FCMGEZ: d = n >= 0 ? all ones : 0.
func (e *Emitter) FCMGEZ(d, n V) { e.zero(0x6ea0c800, "FCMGE", d, n) }

// FCMGTZ: d = n > 0 ? all ones : 0.
func (e *Emitter) FCMGTZ(d, n V) { e.zero(0x4ea0c800, "FCMGT", d, n) }

// FCMLEZ: d = n <= 0 ? all ones : 0.
func (e *Emitter) FCMLEZ(d, n V) { e.zero(0x6ea0d800, "FCMLE", d, n) }

// FCMLTZ: d = n < 0 ? all ones : 0.
func (e *Emitter) FCMLTZ(d, n V) { e.zero(0x4ea0e800, "FCMLT", d, n) }

// FNEG: d = −n.
func (e *Emitter) FNEG(d, n V) { e.two(0x6ea0f800, "FNEG", d, n) }

// FABS: d = |n|.
func (e *Emitter) FABS(d, n V) { e.two(0x4ea0f800, "FABS", d, n) }

// FRINTN: d = n rounded to an integer, ties to even.
func (e *Emitter) FRINTN(d, n V) { e.two(0x4e218800, "FRINTN", d, n) }

// FCVTNS: d = int32(n) rounded to nearest, ties to even (saturating).
func (e *Emitter) FCVTNS(d, n V) { e.two(0x4e21a800, "FCVTNS", d, n) }

// FCVTZS: d = int32(n) rounded toward zero (saturating).
func (e *Emitter) FCVTZS(d, n V) { e.two(0x4ea1b800, "FCVTZS", d, n) }

// SCVTF: d = float32(int32 n).
func (e *Emitter) SCVTF(d, n V) { e.two(0x4e21d800, "SCVTF", d, n) }

// SSHR: d = n >> sh (arithmetic), int32 lanes, 1 ≤ sh ≤ 32.
func (e *Emitter) SSHR(d, n V, sh int) {
	checkShift(sh, 1, 32)
	e.Word(rdn(0x4f000400|uint32(64-sh)<<16, d, n), fmt.Sprintf("SSHR %s, %s, #%d", d.arm4S(), n.arm4S(), sh))
}

func elem(base uint32, mn string, d, n, m V, i int) (uint32, string) {
	if m > 31 || i < 0 || i > 3 {
		panic(fmt.Sprintf("emit: %s by element V%d.S[%d] out of range", mn, m, i))
	}
	enc := rdnm(base, d, n, m) | uint32(i&1)<<21 | uint32(i>>1)<<11
	return enc, fmt.Sprintf("%s %s, %s, V%d.S[%d]", mn, d.arm4S(), n.arm4S(), m, i)
}

// FMLAElem: d += n · m[i], one rounding per lane.
func (e *Emitter) FMLAElem(d, n, m V, i int) { e.Word(elem(0x4f801000, "FMLA", d, n, m, i)) }

// FMLSElem: d −= n · m[i].
func (e *Emitter) FMLSElem(d, n, m V, i int) { e.Word(elem(0x4f805000, "FMLS", d, n, m, i)) }

// FMULElem: d = n · m[i].
func (e *Emitter) FMULElem(d, n, m V, i int) { e.Word(elem(0x4f809000, "FMUL", d, n, m, i)) }

// UMULL: d.2D = n.2S · m.2S (lanes 0 and 1, unsigned 32×32→64).
func (e *Emitter) UMULL(d, n, m V) {
	e.Word(rdnm(0x2ea0c000, d, n, m), fmt.Sprintf("UMULL V%d.2D, V%d.2S, V%d.2S", d, n, m))
}

// UMULL2: d.2D = n.4S[2:4] · m.4S[2:4] (lanes 2 and 3, unsigned 32×32→64).
func (e *Emitter) UMULL2(d, n, m V) {
	e.Word(rdnm(0x6ea0c000, d, n, m), fmt.Sprintf("UMULL2 V%d.2D, %s, %s", d, n.arm4S(), m.arm4S()))
}

// MUL: d = n · m mod 2³², int32 lanes.
func (e *Emitter) MUL(d, n, m V) { e.three(0x4ea09c00, "MUL", d, n, m) }

// FSQRT: d = √n, correctly rounded.
func (e *Emitter) FSQRT(d, n V) { e.two(0x6ea1f800, "FSQRT", d, n) }

// UCVTF: d = float32(uint32 n).
func (e *Emitter) UCVTF(d, n V) { e.two(0x6e21d800, "UCVTF", d, n) }

// VUZP1: d = the even 32-bit elements of n then of m.
func (e *Emitter) VUZP1(d, n, m V) { e.Inst("VUZP1 %s, %s, %s", m.S4(), n.S4(), d.S4()) }

// VUZP2: d = the odd 32-bit elements of n then of m.
func (e *Emitter) VUZP2(d, n, m V) { e.Inst("VUZP2 %s, %s, %s", m.S4(), n.S4(), d.S4()) }

// VCMTST: d = n & m != 0 ? all ones : 0, int32 lanes.
func (e *Emitter) VCMTST(d, n, m V) { e.Inst("VCMTST %s, %s, %s", m.S4(), n.S4(), d.S4()) }

// VEXT: d = bytes imm..imm+15 of the 32-byte concatenation n:m (n low).
func (e *Emitter) VEXT(d, n, m V, imm int) {
	checkShift(imm, 0, 15)
	e.Inst("VEXT $%d, %s, %s, %s", imm, m.B16(), n.B16(), d.B16())
}

// VST1 stores len(vs) vectors to base without advancing it.
func (e *Emitter) VST1(base R, vs ...V) { e.Inst("VST1 %s, (%s)", regList(vs), base.reg()) }

// UCVTFFix: d = float32(uint32 n)·2^−fbits (fixed point, one rounding),
// 1 ≤ fbits ≤ 32.
func (e *Emitter) UCVTFFix(d, n V, fbits int) {
	checkShift(fbits, 1, 32)
	e.Word(rdn(0x6f00e400|uint32(64-fbits)<<16, d, n), fmt.Sprintf("UCVTF %s, %s, #%d", d.arm4S(), n.arm4S(), fbits))
}
