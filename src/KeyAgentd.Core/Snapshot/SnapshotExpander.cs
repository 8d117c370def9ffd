using System.Diagnostics.CodeAnalysis;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// Turns a snapshot into the exact keys each account should hold. Every key is judged in the form
/// it will be written (account options merged in), so the policy can never pass a line that is
/// then written differently; everything refused comes back as a <see cref="KeyRejection"/>.
/// </summary>
public static partial class SnapshotExpander
{
    public static DesiredState Expand(RegistrySnapshot snapshot, KeyPolicy policy, DateTimeOffset now)
    {
        var effective = policy.WithRevoked(snapshot.Revoked);
        var ordered = snapshot.Accounts.OrderBy(a => a.Key, StringComparer.Ordinal).ToArray();
        // Accounts are independent (each parses and judges its own copy of every key), so they are expanded
        // side by side; the result is gathered in name order, exactly as one at a time would give it.
        var expanded = new (List<DesiredKey>? Keys, List<KeyRejection> Rejections)[ordered.Length];
        // One worker per core: the work never blocks, and every extra thread only adds its stack and allocation context.
        Parallel.For(0, ordered.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var (name, account) = ordered[i];
            var own = new List<KeyRejection>();
            // The parser already skips these; a snapshot built in code gets the same treatment.
            expanded[i] = AccountName.IsValid(name)
                ? (new AccountExpansion(name, account, effective, now, own).Run(snapshot.People), own)
                : (null, [RegistrySnapshotParser.InvalidAccountName(name)]);
        });
        var rejections = new List<KeyRejection>(snapshot.Rejections);
        var accounts = new Dictionary<string, IReadOnlyList<DesiredKey>>(ordered.Length, StringComparer.Ordinal);
        for (int i = 0; i < ordered.Length; i++)
        {
            rejections.AddRange(expanded[i].Rejections);
            if (expanded[i].Keys is { } keys)
            {
                accounts[ordered[i].Key] = keys;
            }
        }
        return new DesiredState(accounts, rejections);
    }

    private sealed partial class AccountExpansion(string account, RegistryAccount body, KeyPolicy policy, DateTimeOffset now, List<KeyRejection> rejections)
    {
        private readonly List<DesiredKey> _desired = [];
        private readonly HashSet<SshPublicKey> _seen = [];
        private KeyOptions _accountOptions = KeyOptions.Empty;
        private Verdict? _accountOptionsProblem;

        public List<DesiredKey> Run(IReadOnlyDictionary<string, RegistryPerson> people)
        {
            ParseAccountOptions();
            foreach (string grant in body.Grants.Distinct(StringComparer.Ordinal))
            {
                if (!people.TryGetValue(grant, out var person))
                {
                    rejections.Add(KeyRejection.Create(account, grant, null, "", null, new Verdict(ReasonCode.UnknownPerson,
                        $"account {account} grants \"{SafeText.Escape(grant, 80)}\", who is not in people")));
                    continue;
                }
                foreach (var key in person.Keys)
                {
                    Consider(grant, key);
                }
            }
            foreach (var key in body.Keys)
            {
                // A key given straight to an account has no person; the account stands in as its owner.
                Consider(key.Owner ?? account, key);
            }
            foreach (var authority in body.CertAuthorities)
            {
                ConsiderAuthority(authority);
            }
            return _desired;
        }

        private void ParseAccountOptions()
        {
            string? text = body.Options;
            if (string.IsNullOrWhiteSpace(text))
            {
                return;
            }
            if (SafeText.ContainsControl(text))
            {
                _accountOptionsProblem = new Verdict(ReasonCode.ControlCharacter, $"account {account} options contain a control character");
            }
            else if (!KeyOptionsParser.TryParse(text.Trim(' '), out var options, out string? error))
            {
                _accountOptionsProblem = new Verdict(ReasonCode.MalformedOptions, $"account {account} options \"{SafeText.Escape(text, 120)}\": {error}");
            }
            else
            {
                _accountOptions = options;
            }
        }

        private void Consider(string owner, RegistryKey entry)
        {
            var parsed = Parse(entry.Key);
            var outcome = Judge(owner, entry, parsed);
            if (outcome.Verdict is { } verdict)
            {
                rejections.Add(KeyRejection.Create(account, owner, entry.Label, entry.Key, parsed.Key?.Sha256Fingerprint, verdict));
                return;
            }
            var desired = outcome.Desired!;
            // The same key reached through a person and directly (or two people) is one key on disk; the first grant wins.
            if (_seen.Add(desired.Key))
            {
                _desired.Add(desired);
            }
        }

        /// <summary>
        /// Normalised to one line when it is cleanly one key; otherwise the parser refuses the line
        /// break. A pasted private key is named as such even across lines: its owner must replace it.
        /// </summary>
        private static AuthorizedKeyLine Parse(string keyText)
        {
            string text = KeyImport.Normalize(keyText);
            var parsed = AuthorizedKeyLineParser.Parse(text);
            if (parsed.Error == ReasonCode.ControlCharacter)
            {
                var firstLine = AuthorizedKeyLineParser.Parse(text.TrimStart().Split('\n')[0]);
                if (firstLine.Error == ReasonCode.PrivateKey)
                {
                    return firstLine;
                }
            }
            return parsed;
        }

        private (Verdict? Verdict, DesiredKey? Desired) Judge(string owner, RegistryKey entry, AuthorizedKeyLine parsed)
        {
            if (SafeText.ContainsControl(owner))
            {
                return (new Verdict(ReasonCode.ControlCharacter, "the owner name contains a control character"), null);
            }
            if (entry.Label is { } label && SafeText.ContainsControl(label))
            {
                return (new Verdict(ReasonCode.ControlCharacter, "the label contains a control character"), null);
            }
            if (!parsed.IsKey)
            {
                return (policy.Evaluate(parsed, now), null);
            }
            // The line parser lets C1 controls (NEL U+0085) and U+2028/2029 through, as sshd does for a
            // user's own file; a line we write from the registry must not carry them (found by make stress).
            if (SafeText.ContainsControl(parsed.Raw))
            {
                return (new Verdict(ReasonCode.ControlCharacter, "the key line contains a control or line-separator character"), null);
            }
            if (_accountOptionsProblem is not null)
            {
                return (_accountOptionsProblem, null);
            }
            if (!OptionMerger.TryMerge(_accountOptions, parsed.Options, out var merged, out var refusal))
            {
                return (refusal, null);
            }
            // Trimmed because sshd and our own reader drop the blanks around a comment anyway.
            string comment = (string.IsNullOrWhiteSpace(parsed.Comment) ? owner : parsed.Comment).Trim(' ', '\t');
            if (!TryReparse(merged, parsed.Key!, comment, out var judged, out var renderProblem))
            {
                return (renderProblem, null);
            }
            // Judged before our own expiry-time is added: that option only narrows access, and an
            // expired not_after should be reported as such, not as an expiry-time the registry never wrote.
            var verdict = policy.Evaluate(judged, now, entry.NotAfter);
            if (!verdict.Accepted)
            {
                return (verdict, null);
            }
            var final = judged;
            // Without a not_after the line to write is the one just read back: no second round trip.
            if (entry.NotAfter is { } notAfter &&
                !TryReparse(merged.With(new KeyOption("expiry-time", ExpiryTimeFormat.Format(notAfter))), parsed.Key!, comment, out final, out renderProblem))
            {
                return (renderProblem, null);
            }
            return (null, new DesiredKey(final.Key!, final.Options, comment, owner, entry.Label, entry.NotAfter));
        }

        /// <summary>Renders and reads back the line that would be written, so what is judged is byte for byte what sshd will see.</summary>
        private static bool TryReparse(KeyOptions options, SshPublicKey key, string comment,
            [NotNullWhen(true)] out AuthorizedKeyLine? line, [NotNullWhen(false)] out Verdict? problem)
        {
            string text;
            try
            {
                text = AuthorizedKeyLine.Render(options, key, comment);
            }
            catch (ArgumentException e)
            {
                line = null;
                problem = new Verdict(ReasonCode.MalformedOptions, e.Message);
                return false;
            }
            var read = AuthorizedKeyLineParser.Parse(text);
            if (!read.IsKey || !key.Equals(read.Key))
            {
                line = null;
                problem = new Verdict(read.Error ?? ReasonCode.MalformedOptions, read.ErrorMessage ?? "the merged line does not read back as the same key");
                return false;
            }
            line = read;
            problem = null;
            return true;
        }
    }
}
