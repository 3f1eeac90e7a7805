using RayGen.Benchmarks.Cluster;

// dotnet run -c Release --project benchmarks/RayGen.Benchmarks.Cluster -- [--seconds S] [--json FILE]
// (or: dotnet run -c Release --project benchmarks/RayGen.Benchmarks -- cluster [--seconds S] [--json FILE])
return ClusterBench.Run(args);
