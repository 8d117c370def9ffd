namespace KeyAgentd.Trust.Policy;

/// <summary>
/// How many people signed, for Registry:SignatureThreshold. A valid signature speaks for the
/// principals of the allowed_signers line that admitted it; two signatures whose principal lists
/// share a name may be one person, so the count is the size of the largest set of valid signatures
/// no two of which share a principal (a maximum set packing, not a matching: "alice,release" and
/// "bob,release" are one signer, since nothing tells that the two keys are not one person's).
/// Negated patterns ("!root@*") name nobody and are ignored; a wildcard principal ("*@example.com")
/// could be anyone, so it shares a principal with every other signature (as does a list of negations only). Exact search: at most
/// <see cref="Signatures.SshSignatureArmor.MaxBlocks"/> signatures, so at most 2^16 subsets.
/// </summary>
internal static class DistinctSigners
{
    /// <param name="principals">Per valid signature (by position), the principals text of its allowed_signers line.</param>
    /// <returns>The positions chosen, in ascending order; the earliest signatures win a tie.</returns>
    public static IReadOnlyList<int> Choose(IReadOnlyList<string> principals)
    {
        var people = principals.Select(Person.Parse).ToArray();
        var best = new List<int>();
        var current = new List<int>();
        Search(0);
        return best;

        void Search(int next)
        {
            if (current.Count + (people.Length - next) <= best.Count)
            {
                return;
            }
            if (next == people.Length)
            {
                best = [.. current];
                return;
            }
            if (current.TrueForAll(c => !people[c].SharesWith(people[next])))
            {
                current.Add(next);
                Search(next + 1);
                current.RemoveAt(current.Count - 1);
            }
            Search(next + 1);
        }
    }

    /// <summary>The principal two signatures share, for the verdict's detail; null when they share none.</summary>
    public static string? Shared(string a, string b)
    {
        var (x, y) = (Person.Parse(a), Person.Parse(b));
        if (!x.SharesWith(y))
        {
            return null;
        }
        return x.Wildcard ? $"\"{a}\", which names no one person"
            : y.Wildcard ? $"\"{b}\", which names no one person"
            : x.Names.Order(StringComparer.Ordinal).First(y.Names.Contains);
    }

    private sealed record Person(HashSet<string> Names, bool Wildcard)
    {
        public static Person Parse(string principals)
        {
            var names = principals.Split(',').Where(p => p.Length > 0 && p[0] != '!').ToHashSet(StringComparer.Ordinal);
            // No positive name at all ("!root") identifies nobody either: counted like a wildcard.
            return new Person(names, names.Count == 0 || names.Any(n => n.Contains('*') || n.Contains('?')));
        }

        public bool SharesWith(Person other) => Wildcard || other.Wildcard || Names.Overlaps(other.Names);
    }
}
