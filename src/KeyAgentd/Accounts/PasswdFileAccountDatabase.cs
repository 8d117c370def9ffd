using System.Globalization;
using System.Text;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Accounts;

/// <summary>
/// Accounts from a passwd(5)-format file (<c>--passwd-file</c>): for tests, demos and unprivileged runs.
/// The file is read once, when constructed. Malformed lines are skipped and listed in <see cref="Warnings"/>.
/// </summary>
public sealed class PasswdFileAccountDatabase : IAccountDatabase
{
    public const int MaxBytes = 1024 * 1024;

    private readonly Dictionary<string, AccountInfo> _byName = new(StringComparer.Ordinal);
    private readonly List<AccountInfo> _accounts = [];
    private readonly List<string> _warnings = [];

    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The file is larger than <see cref="MaxBytes"/>.</exception>
    public PasswdFileAccountDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        Parse(ReadBounded(path));
    }

    public string Path { get; }

    /// <summary>One entry per skipped line: "PATH:LINE: why".</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    public AccountInfo? Find(string name) =>
        AccountName.IsValid(name) && _byName.TryGetValue(name, out var account) ? account : null;

    public IEnumerable<AccountInfo> All() => _accounts;

    private static string ReadBounded(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[MaxBytes + 1];
            int length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (length > MaxBytes)
            {
                throw new InvalidDataException($"passwd file {path} is larger than {MaxBytes} bytes");
            }
            return new UTF8Encoding(false, throwOnInvalidBytes: false).GetString(buffer, 0, length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"reading passwd file {path}: {e.Message}", e);
        }
    }

    private void Parse(string text)
    {
        int number = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            number++;
            var line = rawLine.ToString();
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }
            var (problem, account) = ParseLine(line);
            if (account is null)
            {
                _warnings.Add($"{Path}:{number}: {problem}");
            }
            else if (!_byName.TryAdd(account.Name, account))
            {
                _warnings.Add($"{Path}:{number}: duplicate account {account.Name}; the first entry is used");
            }
            else
            {
                _accounts.Add(account);
            }
        }
    }

    /// <summary>(null, account) for a good line, (why, null) for a malformed one.</summary>
    private static (string? Problem, AccountInfo? Account) ParseLine(string line)
    {
        string[] fields = line.Split(':');
        if (fields.Length != 7)
        {
            return ($"expected 7 colon-separated fields, found {fields.Length}", null);
        }
        string name = fields[0];
        if (!AccountName.IsValid(name))
        {
            return ("invalid account name", null);
        }
        if (!uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid))
        {
            return ($"uid of {name} is not a number", null);
        }
        if (!uint.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out uint gid))
        {
            return ($"gid of {name} is not a number", null);
        }
        string home = fields[5];
        if (!home.StartsWith('/'))
        {
            return ($"home of {name} is not an absolute path", null);
        }
        return (null, new AccountInfo(name, uid, gid, home, fields[6]));
    }
}
