// One sshd, one set of real accounts at a time: useradd locks /etc/passwd, and the machine is small.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
