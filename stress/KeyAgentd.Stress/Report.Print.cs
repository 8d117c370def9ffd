namespace KeyAgentd.Stress;

public static class Report
{
    public static void Print(IReadOnlyList<GroupResult> groups, TimeSpan elapsed, string mode)
    {
        Console.WriteLine();
        Console.WriteLine($"== keyagentd stress ({mode}), {elapsed.TotalSeconds:F0} s");
        Console.WriteLine($"{"group",-22} {"cases",9} {"failures",9}  must-be-zero figures");
        Console.WriteLine(new string('-', 110));
        foreach (var g in groups)
        {
            string figures = string.Join(", ", g.MustBeZero.Select(f => $"{f.Key}={f.Value}"));
            Console.WriteLine($"{g.Name,-22} {g.Cases,9} {g.Failures,9}  {figures}");
        }
        Console.WriteLine(new string('-', 110));
        foreach (var g in groups)
        {
            foreach (string n in g.Notes)
            {
                Console.WriteLine($"  {g.Name}: {n}");
            }
            foreach (string e in g.Examples)
            {
                Console.WriteLine($"  {g.Name}: FAIL {e}");
            }
        }
        long total = groups.Sum(g => g.Failures);
        Console.WriteLine(total == 0 ? "STRESS OK: every must-be-zero figure is 0" : $"STRESS FAILED: {total} failure(s)");
    }
}
