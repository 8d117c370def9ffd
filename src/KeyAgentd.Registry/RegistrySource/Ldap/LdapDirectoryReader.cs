using System.DirectoryServices.Protocols;
using System.Net;
using System.Net.Sockets;
using System.Text;
using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource.Ldap;

/// <summary>
/// Reads the people and groups of an LDAP directory with System.DirectoryServices.Protocols (the system
/// libldap on Linux), in pages (RFC 2696), so a server's size limit does not cut the answer short.
/// TLS: the server's certificate is always verified, against ca_file when given. libldap on Linux ignores
/// .NET's certificate callback, so ca_file is copied into a private directory that becomes the
/// connection's own trust store (TrustedCertificatesDirectory and a new TLS context); libldap with GnuTLS
/// loads every certificate file in it.
/// Every call into libldap runs under the timeout on a worker: on Linux a bind to a server that accepted
/// the TCP connection but never answers blocks with no limit of its own (measured by bench/registry-ldap.sh).
/// </summary>
internal sealed class LdapDirectoryReader(LdapSettings settings, string sourceRoot)
{
    /// <summary>Set when a call was abandoned mid-flight: its connection must not be freed under it.</summary>
    private bool _abandoned;

    /// <exception cref="LdapSourceException">The directory could not be reached, bound to or searched.</exception>
    public DirectoryAnswer Read()
    {
        string? password = Password();
        string? trustDirectory = null;
        try
        {
            if (settings.CaFile is { } caFile)
            {
                trustDirectory = TrustDirectory(Resolve(caFile));
            }
            Probe();
            // Connecting, TLS and binding as one bounded call: after an abandoned call, libldap may hold locks
            // that make even setting an option wait, so no libldap call is made on this thread.
            var connection = Bounded(() => Connect(trustDirectory, password), $"connect and bind as {settings.BindDn ?? "anonymous"}");
            try
            {
                var layout = settings.Layout;
                var people = Search(connection, settings.PeopleBaseDn, settings.PeopleFilter, [layout.IdAttribute, layout.KeyAttribute, "uid"]);
                var groups = settings.GroupsBaseDn is { } groupsBase
                    ? Search(connection, groupsBase, settings.GroupsFilter, ["cn", "member", "uniqueMember", "memberUid"])
                    : [];
                return new DirectoryAnswer(people, groups);
            }
            finally
            {
                if (!_abandoned)
                {
                    connection.Dispose();
                }
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException or TypeInitializationException)
        {
            throw new LdapSourceException("libldap", $"the LDAP client library cannot be used: {e.Message}", outage: false, e);
        }
        finally
        {
            if (trustDirectory is not null)
            {
                Directory.Delete(trustDirectory, recursive: true);
            }
        }
    }

    private string? Password()
    {
        if (settings.BindDn is null)
        {
            return null;
        }
        if (settings.BindPasswordEnv is { } name)
        {
            return Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
                ? value
                : throw new LdapSourceException("password", $"bind_password_env: the environment variable {name} is not set", outage: false);
        }
        string path = Resolve(settings.BindPasswordFile!);
        try
        {
            // One line; the newline an editor or `echo` adds is not part of the password.
            return File.ReadAllText(path, new UTF8Encoding(false)).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LdapSourceException("password", $"bind_password_file: {e.Message}", outage: false, e);
        }
    }

    private string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.Combine(sourceRoot, path);

    private static string TrustDirectory(string caFile)
    {
        string directory = Directory.CreateTempSubdirectory("keyagentd-ldap-ca-").FullName;
        try
        {
            File.Copy(caFile, Path.Combine(directory, "ca.pem"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Directory.Delete(directory, recursive: true);
            throw new LdapSourceException("tls", $"ca_file: {e.Message}", outage: false, e);
        }
        return directory;
    }

    /// <summary>
    /// libldap reports a closed port and a refused certificate alike ("server unavailable"); a plain TCP
    /// connect first tells them apart, so the message says which one to fix.
    /// </summary>
    private void Probe()
    {
        int port = settings.Url.IsDefaultPort || settings.Url.Port <= 0 ? (settings.Url.Scheme == "ldaps" ? 636 : 389) : settings.Url.Port;
        try
        {
            using var client = new TcpClient();
            if (!client.ConnectAsync(settings.Url.IdnHost.Trim('[', ']'), port).Wait(settings.Timeout))
            {
                throw new LdapSourceException("timeout", $"{settings.Url}: no connection within {settings.Timeout.TotalSeconds:0.#} s");
            }
        }
        catch (AggregateException e) when (e.InnerException is SocketException socket)
        {
            throw new LdapSourceException("unreachable", $"{settings.Url}: {socket.Message}", inner: socket);
        }
    }

    private LdapConnection Connect(string? trustDirectory, string? password)
    {
        if (settings.Secure)
        {
            LdapCertificatePolicy.RequireVerifiedCertificates();
        }
        int port = settings.Url.IsDefaultPort || settings.Url.Port <= 0 ? (settings.Url.Scheme == "ldaps" ? 636 : 389) : settings.Url.Port;
        var connection = new LdapConnection(new LdapDirectoryIdentifier(settings.Url.IdnHost.Trim('[', ']'), port)) { AuthType = AuthType.Basic, Timeout = settings.Timeout, AutoBind = false };
        try
        {
            connection.SessionOptions.ProtocolVersion = 3;
            connection.SessionOptions.ReferralChasing = ReferralChasingOptions.None;
            if (settings.Url.Scheme == "ldaps")
            {
                connection.SessionOptions.SecureSocketLayer = true;
            }
            // KeyAgentd is Linux-only (the project's RuntimeIdentifier); the guard keeps the analyser's platform check honest.
            if (trustDirectory is not null && !OperatingSystem.IsWindows())
            {
                connection.SessionOptions.TrustedCertificatesDirectory = trustDirectory;
                connection.SessionOptions.StartNewTlsSessionContext();
            }
            if (settings.StartTls)
            {
                StartTls(connection);
            }
            try
            {
                connection.Bind(new NetworkCredential(settings.BindDn ?? "", password ?? ""));
            }
            catch (LdapException e) when (e.ErrorCode == 49)
            {
                throw new LdapSourceException("bind-failed", $"{settings.Url}: bind as {settings.BindDn ?? "anonymous"} refused: invalid credentials", inner: e);
            }
            catch (LdapException e) when (e.ErrorCode is 81 or 91 && settings.Url.Scheme == "ldaps")
            {
                throw Tls(e);
            }
            catch (LdapException e)
            {
                throw Failure("bind-failed", $"bind as {settings.BindDn ?? "anonymous"}", e);
            }
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs one libldap call with the timeout as its deadline. A call past it is abandoned on its worker
    /// thread (a background thread: it does not keep the process alive), and its connection is never freed.
    /// </summary>
    private T Bounded<T>(Func<T> call, string what)
    {
        var task = Task.Run(call);
        try
        {
            if (task.Wait(settings.Timeout))
            {
                return task.Result;
            }
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
        }
        _abandoned = true;
        throw new LdapSourceException("timeout", $"{settings.Url}: {what}: no answer within {settings.Timeout.TotalSeconds:0.#} s (timeout in sources.yaml)");
    }

    /// <summary>
    /// StartTLS on Linux needs a connected handle, and S.DS.P connects only when it binds: so an anonymous
    /// bind opens the connection (its result does not matter: a server may refuse anonymous binds), TLS is
    /// started on it (a refused certificate throws, and nothing else is sent), and the real bind follows over TLS.
    /// </summary>
    private void StartTls(LdapConnection connection)
    {
        try
        {
            connection.Bind(new NetworkCredential("", ""));
        }
        catch (LdapException e) when (e.ErrorCode is 81 or 91 or 85)
        {
            throw Failure("unreachable", "connect", e);
        }
        catch (LdapException)
        {
            // Anonymous binds refused: the connection is open all the same.
        }
        try
        {
            connection.SessionOptions.StartTransportLayerSecurity(null);
        }
        catch (Exception e) when (e is LdapException or DirectoryOperationException)
        {
            throw Tls(e);
        }
    }

    private LdapSourceException Tls(Exception e) =>
        new("tls", $"{settings.Url}: TLS failed: the server's certificate was not accepted ({(settings.CaFile is { } ca ? $"not signed by ca_file {ca}" : "not trusted by the system's CA store")}, or its name is not {settings.Url.Host}), or the server does not offer TLS: {e.Message}", inner: e);

    private LdapSourceException Failure(string code, string what, Exception e) => e switch
    {
        LdapException { ErrorCode: 85 } => new LdapSourceException("timeout", $"{settings.Url}: {what} timed out after {settings.Timeout.TotalSeconds:0.#} s", inner: e),
        LdapException { ErrorCode: 81 or 91 } => new LdapSourceException("unreachable", $"{settings.Url}: {what}: {e.Message}", inner: e),
        LdapException l => new LdapSourceException(code, $"{settings.Url}: {what}: {l.Message} (LDAP result {l.ErrorCode}{(string.IsNullOrEmpty(l.ServerErrorMessage) ? "" : ": " + l.ServerErrorMessage)})", inner: e),
        DirectoryOperationException d => new LdapSourceException(code, $"{settings.Url}: {what}: {d.Response?.ResultCode.ToString() ?? d.Message}{(string.IsNullOrEmpty(d.Response?.ErrorMessage) ? "" : ": " + d.Response.ErrorMessage)}", inner: e),
        TimeoutException => new LdapSourceException("timeout", $"{settings.Url}: {what} timed out after {settings.Timeout.TotalSeconds:0.#} s", inner: e),
        _ => new LdapSourceException(code, $"{settings.Url}: {what}: {e.Message}", inner: e),
    };

    private List<DirectoryEntry> Search(LdapConnection connection, string baseDn, string filter, string[] attributes)
    {
        var entries = new List<DirectoryEntry>();
        var request = new SearchRequest(baseDn, filter, SearchScope.Subtree, attributes);
        var page = new PageResultRequestControl(settings.PageSize);
        request.Controls.Add(page);
        while (true)
        {
            SearchResponse response;
            try
            {
                response = Bounded(() => (SearchResponse)connection.SendRequest(request, settings.Timeout), $"search {filter} under {baseDn}");
            }
            catch (Exception e) when (e is LdapException or DirectoryOperationException or TimeoutException)
            {
                throw Failure("search-failed", $"search {filter} under {baseDn}", e);
            }
            foreach (SearchResultEntry entry in response.Entries)
            {
                var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                foreach (string name in entry.Attributes.AttributeNames)
                {
                    values[name.ToLowerInvariant()] = entry.Attributes[name].GetValues(typeof(string)).Cast<string>().ToList();
                }
                entries.Add(new DirectoryEntry(entry.DistinguishedName, values));
            }
            var next = response.Controls.OfType<PageResultResponseControl>().FirstOrDefault();
            if (next is null || next.Cookie.Length == 0)
            {
                return entries;
            }
            page.Cookie = next.Cookie;
        }
    }
}
