using System.Diagnostics;

namespace Cruddur.Core.Tests;

/// <summary>
/// Waits for something the code under test brings about in its own time (a file, the simulator's record, a terminal's
/// settings): checked every 20 ms until true or the limit (15 s unless given) has passed. Returns whether it came true.
/// </summary>
internal static class Eventually
{
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan? limit = null)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > (limit ?? TimeSpan.FromSeconds(15)))
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    public static Task<bool> TrueAsync(Func<bool> condition, TimeSpan? limit = null) => TrueAsync(() => Task.FromResult(condition()), limit);
}
