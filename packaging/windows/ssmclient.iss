; Inno Setup 6 script: a per-user installer for the one-folder app PyInstaller
; built (dist\ssmclient, from packaging/ssmclient.spec).
;
;   iscc /DAppVersion=0.1.0 /DSourceDir=build\packaging\app\ssmclient /DOutputDir=dist packaging\windows\ssmclient.iss
;
; Per user, no administrator rights (a partner's IT rarely grants them): the app
; goes to %LOCALAPPDATA%\Programs\ssmclient, the Start-menu entry to the user's
; Start menu, and the .ssmprofile association to HKCU\Software\Classes, which
; Windows merges into HKEY_CLASSES_ROOT for that user. Uninstalling removes all
; three. The release workflow signs the installer and the executables
; (signtool) when a certificate is given.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z
#endif
#ifndef SourceDir
  #define SourceDir "..\..\build\packaging\app\ssmclient"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

#define AppName "ssmclient"
#define ProgId "ssmclient.profile.1"

[Setup]
; A fixed AppId: upgrades replace the installed version instead of adding a second one.
AppId={{6F0C3A51-2B8E-4C7D-9F3A-5E1D2C4B7A90}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=ssmclient maintainers
AppComments=Reach a host's EC2 instances through AWS Session Manager with the profile file the host sent you
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; No folder page: the uninstaller removes the folder, which must be ours alone.
DisableDirPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
ChangesAssociations=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename={#AppName}-{#AppVersion}-windows-x64-setup
SetupIconFile={#SourceDir}\_internal\ssmclient-profile.ico
UninstallDisplayIcon={app}\ssmclientw.exe
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running ssmclient before replacing its files (it stops its own
; forwards on close); restart it afterwards if it was running.
CloseApplications=yes
RestartApplications=yes

#ifdef Sign
; The release workflow passes /DSign /Ssigntool=...: the installer and its
; uninstaller are signed like the executables.
SignTool=signtool
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Files]
; The whole folder; recursesubdirs keeps _internal's layout.
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\ssmclientw.exe"; Comment: "AWS Session Manager client for partner engineers"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\ssmclientw.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Registry]
; .ssmprofile -> ProgId -> the windowed exe with the file (no console flashes up).
; HKA is HKCU for a per-user install. The uninstaller removes exactly what was
; written here: our values, then the keys they leave empty (uninsdeletevalue
; alone leaves .ssmprofile behind), and our own ProgId keys whole.
Root: HKA; Subkey: "Software\Classes\.ssmprofile"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.ssmprofile"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-ssmclient-profile"; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\.ssmprofile\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "ssmclient party profile"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\_internal\ssmclient-profile.ico"",0"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "ssmclient"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\ssmclientw.exe"" ""%1"""
; "Open with" lists the app by its exe name too.
Root: HKA; Subkey: "Software\Classes\Applications\ssmclientw.exe"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "ssmclient"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\ssmclientw.exe\SupportedTypes"; ValueType: string; ValueName: ".ssmprofile"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\ssmclientw.exe\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\ssmclientw.exe"" ""%1"""

[Run]
Filename: "{app}\ssmclientw.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete]: the uninstaller removes the files it installed and then
; the empty folder; a frozen app writes nothing there. Profiles, settings and
; history live in %APPDATA%\ssmclient and the External IDs in the Credential
; Manager: they are the user's and stay, as with any app (a reinstall finds
; them); `ssmclient profile remove NAME` deletes a profile with its secrets.
