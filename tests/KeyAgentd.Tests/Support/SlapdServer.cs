using System.Diagnostics;

namespace KeyAgentd.Tests.Support;

/// <summary>Runs when slapd, ldap-utils and openssl are installed; otherwise skips and says why.</summary>
public sealed class SlapdFactAttribute : FactAttribute
{
    public SlapdFactAttribute()
    {
        if (SlapdServer.Executable() is null || !File.Exists("/usr/bin/ldapadd") || !File.Exists("/usr/bin/openssl"))
        {
            Skip = "slapd, ldap-utils or openssl is not installed (apt-get install -y slapd ldap-utils openssl); LDAP source tests skipped";
        }
    }
}

/// <summary>
/// A private OpenLDAP slapd on 127.0.0.1 (a plain/StartTLS port and an ldaps port), run as the current
/// user from a throwaway slapd.conf and mdb database in <c>directory</c>. The suffix is dc=example,dc=org
/// with ou=people and ou=groups; <see cref="ReaderDn"/> is the account the source binds as (not the
/// rootdn, so the server's size limit applies to it: 25 entries without paging). The openssh-lpk schema
/// (sshPublicKey, ldapPublicKey) is not shipped by Debian and is written here. TLS uses a CA made for the test.
/// </summary>
public sealed class SlapdServer : IDisposable
{
    public const string Suffix = "dc=example,dc=org";
    public const string People = "ou=people," + Suffix;
    public const string Groups = "ou=groups," + Suffix;
    public const string ReaderDn = "cn=reader," + Suffix;
    public const string ReaderPassword = "reader-secret";
    public const int SizeLimit = 25;

    private const string AdminDn = "cn=admin," + Suffix;
    private const string AdminPassword = "admin-secret";

    /// <summary>The openssh-lpk schema (OIDs of the OpenSSH LDAP public key patch).</summary>
    public const string OpensshLpkSchema = """
        attributetype ( 1.3.6.1.4.1.24552.500.1.1.1.13 NAME 'sshPublicKey'
          DESC 'MANDATORY: OpenSSH Public key'
          EQUALITY octetStringMatch
          SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )
        objectclass ( 1.3.6.1.4.1.24552.500.1.1.2.0 NAME 'ldapPublicKey' SUP top AUXILIARY
          DESC 'MANDATORY: OpenSSH LPK objectclass'
          MAY ( sshPublicKey $ uid ) )
        """;

    private Process? _process;

    public SlapdServer(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(System.IO.Path.Combine(directory, "db"));
        File.WriteAllText(System.IO.Path.Combine(directory, "openssh-lpk.schema"), OpensshLpkSchema + "\n");
        MakeCertificates();
        Port = LoopbackPorts.Reserve();
        TlsPort = LoopbackPorts.Reserve();
        File.WriteAllText(ConfigPath, $"""
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/inetorgperson.schema
            include /etc/ldap/schema/nis.schema
            include {directory}/openssh-lpk.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            pidfile {directory}/slapd.pid
            TLSCACertificateFile {CaFile}
            TLSCertificateFile {directory}/server.pem
            TLSCertificateKeyFile {directory}/server.key
            sizelimit size.soft={SizeLimit} size.hard={SizeLimit} size.prtotal=unlimited
            database mdb
            maxsize 268435456
            suffix "{Suffix}"
            rootdn "{AdminDn}"
            rootpw {AdminPassword}
            directory {directory}/db

            """);
        Start();
        Add($"""
            dn: {Suffix}
            objectClass: dcObject
            objectClass: organization
            o: Example
            dc: example

            dn: {People}
            objectClass: organizationalUnit
            ou: people

            dn: {Groups}
            objectClass: organizationalUnit
            ou: groups

            dn: {ReaderDn}
            objectClass: organizationalRole
            objectClass: simpleSecurityObject
            cn: reader
            userPassword: {ReaderPassword}
            """);
    }

    public string Directory { get; }

    public int Port { get; }

    public int TlsPort { get; }

    /// <summary>The CA that signed the server's certificate (for localhost and 127.0.0.1).</summary>
    public string CaFile => System.IO.Path.Combine(Directory, "ca.pem");

    /// <summary>A CA that signed nothing the server holds.</summary>
    public string OtherCaFile => System.IO.Path.Combine(Directory, "other-ca.pem");

    public string ConfigPath => System.IO.Path.Combine(Directory, "slapd.conf");

    public static string? Executable() => new[] { "/usr/sbin/slapd", "/usr/local/libexec/slapd" }.FirstOrDefault(File.Exists);

    /// <summary>A person entry: inetOrgPerson + ldapPublicKey, one sshPublicKey value per key.</summary>
    public static string PersonLdif(string uid, params string[] keys) =>
        $"dn: uid={uid},{People}\nobjectClass: inetOrgPerson\nobjectClass: ldapPublicKey\nuid: {uid}\ncn: {uid}\nsn: {uid}\n" +
        string.Concat(keys.Select(k => $"sshPublicKey: {k}\n"));

    public void Add(string ldif) => Tool("/usr/bin/ldapadd", ldif);

    public void Modify(string ldif) => Tool("/usr/bin/ldapmodify", ldif);

    private void Tool(string tool, string ldif)
    {
        var result = ProcessRunner.Run(tool, ["-x", "-H", $"ldap://127.0.0.1:{Port}", "-D", AdminDn, "-w", AdminPassword], stdin: ldif.Replace("\r", "", StringComparison.Ordinal) + "\n");
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed ({result.ExitCode}): {result.Stderr}");
        }
    }

    private void MakeCertificates()
    {
        string Dir(string name) => System.IO.Path.Combine(Directory, name);
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", Dir("ca.key"), "-out", CaFile, "-days", "2", "-subj", "/CN=KeyAgentd test LDAP CA");
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", Dir("other-ca.key"), "-out", OtherCaFile, "-days", "2", "-subj", "/CN=KeyAgentd unrelated CA");
        OpenSsl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", Dir("server.key"), "-out", Dir("server.csr"), "-subj", "/CN=localhost");
        File.WriteAllText(Dir("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        OpenSsl("x509", "-req", "-in", Dir("server.csr"), "-CA", CaFile, "-CAkey", Dir("ca.key"), "-CAcreateserial", "-out", Dir("server.pem"), "-days", "2", "-extfile", Dir("server.ext"));
    }

    private static void OpenSsl(params string[] arguments)
    {
        var result = ProcessRunner.Run("/usr/bin/openssl", arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {arguments[0]} failed: {result.Stderr}");
        }
    }

    public void Start()
    {
        // -d 0: stay in the foreground (a child the test owns and stops), with no debug output.
        var info = new ProcessStartInfo(Executable()!) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[] { "-f", ConfigPath, "-h", $"ldap://127.0.0.1:{Port}/ ldaps://127.0.0.1:{TlsPort}/", "-d", "0" })
        {
            info.ArgumentList.Add(a);
        }
        _process = LoopbackServerProcess.Start("slapd", info, Port, TimeSpan.FromSeconds(20));
    }

    /// <summary>SIGSTOP: the port still accepts TCP connections (the kernel's backlog), and nothing answers.</summary>
    public void Pause() => Mono.Unix.Native.Syscall.kill(_process!.Id, Mono.Unix.Native.Signum.SIGSTOP);

    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            Mono.Unix.Native.Syscall.kill(_process.Id, Mono.Unix.Native.Signum.SIGCONT);
            Mono.Unix.Native.Syscall.kill(_process.Id, Mono.Unix.Native.Signum.SIGTERM);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();
}
