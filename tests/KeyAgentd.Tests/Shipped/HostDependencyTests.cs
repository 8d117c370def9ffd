using System.Text.Json;
using System.Xml.Linq;

namespace KeyAgentd.Tests.Shipped;

/// <summary>
/// The daemon every host runs carries no registry-side library: YAML and LDAP (with the system libldap
/// it drives) are keyagentd-registry's, on the build machine. Read from what restore resolved for the
/// keyagentd project (its lock file, direct and transitive) and from what the project asks for.
/// </summary>
public sealed class HostDependencyTests
{
    private static readonly string[] RegistryOnly = ["YamlDotNet", "System.DirectoryServices.Protocols"];

    private static string HostProject => Path.Combine(RepositoryRoot.Path, "src", "KeyAgentd");

    [Fact]
    public void The_host_lock_file_resolves_neither_yaml_nor_ldap()
    {
        using var lockFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(HostProject, "packages.lock.json")));
        var found = new List<string>();
        foreach (var target in lockFile.RootElement.GetProperty("dependencies").EnumerateObject())
        {
            foreach (var package in target.Value.EnumerateObject())
            {
                if (RegistryOnly.Contains(package.Name, StringComparer.OrdinalIgnoreCase))
                {
                    found.Add($"{target.Name}: {package.Name}");
                }
                if (package.Value.TryGetProperty("dependencies", out var dependencies))
                {
                    found.AddRange(dependencies.EnumerateObject()
                        .Where(d => RegistryOnly.Contains(d.Name, StringComparer.OrdinalIgnoreCase))
                        .Select(d => $"{target.Name}: {package.Name} -> {d.Name}"));
                }
            }
        }
        Assert.True(found.Count == 0, "src/KeyAgentd/packages.lock.json: " + string.Join("; ", found));
    }

    [Fact]
    public void The_host_project_references_neither_them_nor_the_registry_tool()
    {
        var project = XDocument.Load(Path.Combine(HostProject, "KeyAgentd.csproj"));
        var packages = project.Descendants("PackageReference").Select(p => (string?)p.Attribute("Include")).ToList();
        var projects = project.Descendants("ProjectReference").Select(p => (string?)p.Attribute("Include")).ToList();
        Assert.DoesNotContain(packages, p => RegistryOnly.Contains(p, StringComparer.OrdinalIgnoreCase));
        Assert.DoesNotContain(projects, p => p is not null && p.Contains("KeyAgentd.Registry", StringComparison.Ordinal));
    }
}
