@{
    # build.ps1 stamps ModuleVersion from Directory.Build.props; edit the version there.
    RootModule           = 'Cruddur.dll'
    ModuleVersion        = '0.0.0'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    GUID                 = 'b6f1c5de-54a1-4b8e-9a0e-7c4e2f9d3a11'
    Author               = 'Cruddur developers'
    CompanyName          = 'Cruddur'
    Copyright            = '(c) Cruddur developers. Apache-2.0.'
    Description          = 'Takes the Cruddur app (Flask backend, React frontend) from source to running on AWS ECS Fargate: env files from ERB templates, ECR image publishing, watched deployments with rollback, ECS Exec shells with preflight checks, and PostgreSQL setup.'
    FormatsToProcess     = @('Cruddur.Format.ps1xml')
    CmdletsToExport      = @(
        'New-CruddurEnvFile'
        'Publish-CruddurImage'
        'Initialize-CruddurInfrastructure'
        'Set-CruddurParameter'
        'Invoke-CruddurDbSetup'
        'Test-CruddurDatabase'
        'Test-CruddurHealth'
        'Connect-CruddurTask'
        'Deploy-CruddurService'
        'Undo-CruddurDeployment'
        'Resume-CruddurDeployment'
        'Get-CruddurService'
        'Get-CruddurLog'
        'Invoke-CruddurTask'
        'Set-CruddurIngressRule'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('AWS', 'ECS', 'Fargate', 'ECR', 'Deploy', 'Containers', 'Docker', 'PostgreSQL', 'Cruddur', 'PSEdition_Core', 'Linux', 'MacOS', 'Windows')
            LicenseUri   = 'https://www.apache.org/licenses/LICENSE-2.0'
            ProjectUri   = 'https://github.com/cruddur/Cruddur.PowerShell'
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
