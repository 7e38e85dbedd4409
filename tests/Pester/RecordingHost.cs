// A PowerShell host for tests: records the warnings and lines that reach its UI (what a user would see); a confirmation
// prompt waits until the test answers it.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Threading;

namespace CruddurTest
{
    public sealed class RecordingHost : PSHost
    {
        private readonly RecordingUI _ui = new();

        public ConcurrentQueue<string> Warnings => _ui.Warnings;

        /// <summary>The lines shown: Write-Host's (information tagged PSHOST), and other information under InformationAction Continue.</summary>
        public ConcurrentQueue<string> Lines => _ui.Lines;

        /// <summary>Set while a PromptForChoice (a -Confirm question) waits for <see cref="Answer"/>.</summary>
        public ManualResetEventSlim Prompted => _ui.Prompted;

        /// <summary>Answers the waiting prompt with the choice at <paramref name="index"/> (0 is Yes for ShouldProcess).</summary>
        public void Answer(int index)
        {
            _ui.Choice = index;
            _ui.Answered.Set();
        }

        public override string Name => "CruddurTestHost";
        public override Version Version => new(1, 0);
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override PSHostUserInterface UI => _ui;
        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override void SetShouldExit(int exitCode) { }
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }

        private sealed class RecordingUI : PSHostUserInterface
        {
            public ConcurrentQueue<string> Warnings { get; } = new();
            public ConcurrentQueue<string> Lines { get; } = new();
            public ManualResetEventSlim Prompted { get; } = new();
            public ManualResetEventSlim Answered { get; } = new();
            public int Choice { get; set; }
            public override PSHostRawUserInterface RawUI => null;
            public override string ReadLine() => throw new NotSupportedException();
            public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();
            public override void Write(string value) { }
            public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { }
            public override void WriteLine(string value) => Lines.Enqueue(value);
            public override void WriteErrorLine(string value) { }
            public override void WriteDebugLine(string message) { }
            public override void WriteProgress(long sourceId, ProgressRecord record) { }
            public override void WriteVerboseLine(string message) { }
            public override void WriteWarningLine(string message) => Warnings.Enqueue(message);
            public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException();
            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();
            public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
            {
                Prompted.Set();
                Answered.Wait();
                return Choice;
            }
        }
    }
}
