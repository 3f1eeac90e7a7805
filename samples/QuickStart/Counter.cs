using System.Threading.Tasks;
using RayGen;

namespace QuickStart;

[Remote]
public partial class Counter
{
    private int _n;

    public Counter(int start) => _n = start;

    public int Increment() => ++_n;

    public async Task<int> ReadAsync()
    {
        await Task.Yield();
        return _n;
    }
}
