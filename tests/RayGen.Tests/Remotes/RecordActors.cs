namespace RayGen.Tests.Remotes;

/// <summary>A positional record as an actor: its primary constructor is <c>Remote.New</c>, its own methods are the handle's.</summary>
[Remote]
public partial record Accumulator(int Start)
{
    private int _total = Start;

    public int Add(int amount) => _total += amount;

    public int Total() => _total;
}
