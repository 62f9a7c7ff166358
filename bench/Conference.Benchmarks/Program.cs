using BenchmarkDotNet.Running;
using Conference.Benchmarks;

// Not typeof(Program): the recorder (a web app) exposes a Program of its own.
BenchmarkSwitcher.FromAssembly(typeof(RecordingBenchmarks).Assembly).Run(args);
