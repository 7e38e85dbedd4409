using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace Cruddur.PowerShell.Hosting;

/// <summary>
/// Loads Cruddur.Core and everything it depends on (AWSSDK.*, Npgsql, …) from the module's "dependencies" folder into a
/// load context of their own, so a session that already loaded other versions of them (AWS.Tools loads AWSSDK.Core) can
/// still import Cruddur, and Cruddur's copies never disturb other modules.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string DependencyDirectory =
        Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "dependencies");

    private static readonly DependencyLoadContext Dependencies = new(DependencyDirectory);

    public void OnImport() => AssemblyLoadContext.Default.Resolving += ResolveCore;

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveCore;

    // Only the core is handed to the default context; its own dependencies resolve inside the isolated one.
    private static Assembly? ResolveCore(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == "Cruddur.Core" ? Dependencies.LoadFromAssemblyName(name) : null;

    private sealed class DependencyLoadContext : AssemblyLoadContext
    {
        private readonly string _directory;

        public DependencyLoadContext(string directory)
            : base("Cruddur")
        {
            _directory = directory;
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var path = Path.Combine(_directory, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
