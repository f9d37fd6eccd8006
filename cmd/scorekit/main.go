// Command scorekit trains score-based generative models and samples from
// them with Langevin dynamics, on the CPU.
//
// Usage:
//
//	scorekit <command> [flags]
//
// The commands:
//
//	demo     train a score network on a toy set, sample it, draw samples.png
//	train    train a score network on a built-in set, a CSV or a .npy file
//	sample   draw samples from a trained model with a Langevin or SDE sampler
//	bench    run the standard benchmarks and print a Markdown table (or -json)
//	cpu      print the CPU features seen and the kernel implementation chosen
//
// Run "scorekit <command> -h" (or "scorekit help <command>") for a
// command's flags. sample and demo spread their chains over -workers
// goroutines (0, the default, means GOMAXPROCS), and train each step's
// products and the passes between them (default 1); neither the samples
// nor the trained model depend on it.
//
// Files of points (train -data, sample -start) are CSV or NumPy .npy files
// of rows, one point per row. A CSV file separates columns by commas, may
// begin with a UTF-8 byte-order mark, and skips lines that begin with #.
// Its first row is a header, and skipped, only if none of its cells is a
// number (x,y or a,b): a header of numbers (0,1) cannot be told from data
// and is read as the first point, so name columns with words or drop such
// a header. There is no flag to say that a file has a header. A .npy file
// holds float32 or float64 (either byte order, C or Fortran order) as a
// matrix of rows or a vector, which is one column. sample writes CSV with
// the header x0,x1,….
//
// The exit status is 0 on success (and for -h). It is 2 when the command
// line cannot be carried out, which every command finds before it starts
// its work: an unknown command or flag; a value that is malformed or out
// of range (a negative count, NaN, a step that is 0 in float32); flags
// that do not fit each other, the sampler or loss in use, or the model or
// checkpoint they name; a file a flag names (train -data and -resume,
// sample -model and -start) that is missing, unreadable, of the wrong
// type, malformed or not what the flag takes; or an output (-out, -png,
// bench -plots) that cannot be written there. Its message begins with the
// flag, as "scorekit train: -data x.txt: file type ".txt": want a .csv or
// .npy file of points". It is 1 when the work fails once started: a loss
// or sampler that diverges, a file that cannot be written at the end (a
// full disk), or an interrupt. An interrupt (Ctrl-C) or SIGTERM stops
// train, sample and demo between steps, with a message that says where; a
// second one ends the process at once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand: run parses its flags from args and does its
// work, writing results to stdout and progress to stderr.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"cpu":    {"print the CPU features seen and the kernel implementation chosen", runCPU},
	"bench":  {"run the standard benchmarks and print a Markdown table (or -json)", runBench},
	"demo":   {"train a score network on a toy set, sample it, draw samples.png", runDemo},
	"train":  {"train a score network on a built-in set, a CSV or a .npy file", runTrain},
	"sample": {"draw samples from a trained model with a Langevin or SDE sampler", runSample},
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// errUsage marks an error in the command line, or in a file it names,
// found before any work: exit status 2 (see exitStatus).
var errUsage = errors.New("usage")

// usagef returns a command-line error: exit status 2. Its text should
// begin with the flag, or the flags, whose values it is about.
func usagef(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

// flagError returns the command-line error of the flag name, whose value
// err refuses; err's text begins with the value (a file's errors with
// its path), and err stays in the chain for errors.As.
func flagError(name string, err error) error {
	return fmt.Errorf("%w: -%s %w", errUsage, name, err)
}

// exitStatus is the rule that run applies, for the usage texts (the
// package doc says it at more length).
const exitStatus = `Exit status: 0 on success; 2 when the command line cannot be carried out,
found before any work starts: a flag's value that is malformed or out of
range, flags that do not fit each other, or a file a flag names that is
missing, unreadable, of the wrong type or not what the flag takes, or an
output that cannot be written there (the message begins with the flag);
1 when the work fails once started: a loss or sampler that diverges, a
file that cannot be written at the end, or an interrupt.`

// run executes the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) >= 2 && args[0] == "help" {
		if _, ok := commands[args[1]]; !ok || len(args) > 2 {
			if ok {
				fmt.Fprintf(stderr, "scorekit help: want one command, have %q\n\n", strings.Join(args[1:], " "))
			} else {
				fmt.Fprintf(stderr, "scorekit help: unknown command %q\n\n", args[1])
			}
			usage(stderr)
			return 2
		}
		args = []string{args[1], "-h"} // "scorekit help train" is "scorekit train -h"
	}
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(stdout) // asked for: the output, as go help's
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "scorekit: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := c.run(args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "scorekit %s: %v\n", args[0], strings.TrimPrefix(err.Error(), "usage: "))
		return 2
	default:
		fmt.Fprintf(stderr, "scorekit %s: %v\n", args[0], err)
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "scorekit trains score-based generative models and samples from them with Langevin dynamics.")
	fmt.Fprintln(w, "\nUsage:\n\n\tscorekit <command> [flags]\n\nThe commands are:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "\t%-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"scorekit <command> -h\" or \"scorekit help <command>\" for a command's flags.")
	fmt.Fprintln(w, "\n"+exitStatus)
}

// newFlags returns a flag set for the command name that reports errors
// through run (not by exiting); its Usage prints the synopsis and the
// flags to stdout, which parse calls for -h only.
func newFlags(name, synopsis string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("scorekit "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: scorekit %s\n", synopsis)
		if hasFlags(fs) {
			fmt.Fprintln(stdout)
		}
		fs.SetOutput(stdout)
		fs.PrintDefaults() // nothing for a command without flags (cpu)
		fs.SetOutput(io.Discard)
		fmt.Fprintln(stdout, "\n"+exitStatus)
	}
	return fs
}

// hasFlags reports whether fs defines a flag.
func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parse parses args into fs and rejects positional arguments. For -h it
// prints fs's usage (to stdout: it was asked for); a wrong flag is an
// error for run to print, once, with where to find the flags (the flag
// package would print it, then the whole usage, to its output too).
func parse(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return err
		}
		return fmt.Errorf("%w: %v (%s -h lists the flags)", errUsage, err, fs.Name())
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

// interruptible returns a context that the first interrupt (Ctrl-C) or
// SIGTERM cancels, so that the command stops between steps and says where
// it stopped. That first signal restores the default action: a second one
// ends the process at once.
func interruptible() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}
