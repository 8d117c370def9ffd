using System.Text.RegularExpressions;
using KeyAgentd.Audit;
using KeyAgentd.Core.Codes;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Source;
using KeyAgentd.Doctor;
using KeyAgentd.Fetch;
using KeyAgentd.Metrics;
using KeyAgentd.Sync;

namespace KeyAgentd.Tests.Shipped;

/// <summary>
/// The documentation lists each domain's stable codes exactly: monitoring and runbooks are written from it.
/// A list is marked <c>&lt;!-- codes: DOMAIN --&gt;</c> … <c>&lt;!-- /codes --&gt;</c> in README.md or any
/// docs/**/*.md (a domain may be listed in several places); every code-shaped `word` inside counts, and in a
/// table only the first cell of each row. The man page lists none.
/// </summary>
public sealed partial class DocumentedCodesTests
{
    public static TheoryData<string> Domains => [.. Catalogues.Keys];

    private static readonly Dictionary<string, IReadOnlyList<string>> Catalogues = new()
    {
        ["reason"] = ReasonCodes.Catalogue.Codes,
        ["source"] = SourceReasons.Catalogue.Codes,
        ["removal"] = RemovalReasons.Catalogue.Codes,
        ["outcome"] = SyncOutcomes.Catalogue.Codes,
        ["audit-action"] = AuditActions.Catalogue.Codes,
        ["doctor"] = DoctorCodes.Catalogue.Codes,
        ["certificate"] = KeyAgentd.Core.AuthorizedKeys.CertificateAdmissions.Catalogue.Codes,
        ["revocation-rule"] = KeyAgentd.Core.Snapshot.RevocationRules.Catalogue.Codes,
        ["registry-problem"] = RegistryProblemKinds.AllCodes,
        ["root"] = KeyAgentd.Trust.Root.RootReasons.Catalogue.Codes,
        ["root-tool"] = KeyAgentd.RootRotation.RootRefusals.Catalogue.Codes,
        ["signing-key"] = KeyAgentd.RegistrySource.Signing.SigningKeyRefusals.Catalogue.Codes,
    };

    [Theory]
    [MemberData(nameof(Domains))]
    public void The_docs_list_every_code_of_the_domain_and_no_other(string domain)
    {
        var listed = Listed(domain);
        Assert.True(listed.Count > 0, $"no list marked <!-- codes: {domain} --> in README.md or docs/");
        var codes = Catalogues[domain].ToHashSet(StringComparer.Ordinal);
        Assert.True(codes.SetEquals(listed),
            $"codes: {domain}: missing from the docs: [{string.Join(", ", codes.Except(listed).Order())}]; "
            + $"listed but no such code: [{string.Join(", ", listed.Except(codes).Order())}]");
    }

    [Fact]
    public void Every_host_catalogue_gives_every_value_one_code()
    {
        AssertComplete(SyncOutcomes.Catalogue);
        AssertComplete(AuditActions.Catalogue);
        AssertComplete(AuditResumedReasons.Catalogue);
        AssertComplete(TrustResetReasons.Catalogue);
        AssertComplete(DoctorCodes.Catalogue);
        AssertComplete(RegistryProblemKinds.Catalogue);
        AssertComplete(FetchProblems.Catalogue);
        AssertComplete(KeyAgentd.RootRotation.RootRefusals.Catalogue);
        AssertComplete(KeyAgentd.RegistrySource.Signing.SigningKeyRefusals.Catalogue);
        AssertComplete(KeyAgentd.Core.Snapshot.RevocationRules.Catalogue);
        Assert.Equal(RegistryProblemKinds.AllCodes.Count, RegistryProblemKinds.AllCodes.Distinct().Count());
    }

    [Fact]
    public void A_marked_list_is_read_code_by_code()
    {
        const string text = "x `no` <!-- codes: t -->`a-b`, `c` (see `Some:Key`, `d.txt`, `--flag`)<!-- /codes --> `e`\n"
            + "<!-- codes: t -->\n| code | what |\n|---|---|\n| `f` (warning) | `g` |\n<!-- /codes -->\n";
        Assert.Equal(["a-b", "c", "f"], CodesIn(text, "t").Order());
        Assert.Empty(CodesIn(text, "other"));
    }

    private static HashSet<string> Listed(string domain)
    {
        string root = RepositoryRoot.Path;
        var files = new List<string> { Path.Combine(root, "README.md") };
        string docs = Path.Combine(root, "docs");
        if (Directory.Exists(docs))
        {
            files.AddRange(Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories));
        }
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            listed.UnionWith(CodesIn(File.ReadAllText(file), domain));
        }
        return listed;
    }

    private static HashSet<string> CodesIn(string text, string domain)
    {
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match list in MarkedList().Matches(text))
        {
            if (list.Groups["domain"].Value != domain)
            {
                continue;
            }
            foreach (string line in list.Groups["body"].Value.Split('\n'))
            {
                // In a table only the first cell names a code; the others explain it.
                string part = line.TrimStart().StartsWith('|') ? line.TrimStart()[1..].Split('|')[0] : line;
                codes.UnionWith(CodeSpan().Matches(part).Select(m => m.Groups[1].Value));
            }
        }
        return codes;
    }

    private static void AssertComplete<T>(CodeCatalogue<T> catalogue) where T : struct, Enum
    {
        Assert.Equal(Enum.GetValues<T>().Order(), catalogue.Values.Order());
        foreach (var value in catalogue.Values)
        {
            Assert.True(catalogue.TryParse(catalogue.ToCode(value), out var back));
            Assert.Equal(value, back);
        }
    }

    [GeneratedRegex(@"<!-- codes: (?<domain>[a-z-]+) -->(?<body>.*?)<!-- /codes -->", RegexOptions.Singleline)]
    private static partial Regex MarkedList();

    [GeneratedRegex(@"`([a-z0-9]+(?:-[a-z0-9]+)*)`")]
    private static partial Regex CodeSpan();
}
