; Inno Setup script: a per-user installer (no admin rights needed), Start menu and
; desktop shortcuts, uninstall from "Apps & features". The data folder
; (%LOCALAPPDATA%\HandwerkML) is left in place on uninstall.
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{5B0F7A53-7E0C-4C55-9C59-2E1C8D3A6B21}
AppName=HandwerkML
AppVersion={#AppVersion}
AppPublisher=HandwerkML
DefaultDirName={localappdata}\Programs\HandwerkML
DefaultGroupName=HandwerkML
PrivilegesRequired=lowest
OutputDir=..\out
OutputBaseFilename=HandwerkML-Setup-{#AppVersion}
SetupIconFile=..\icon.ico
UninstallDisplayIcon={app}\handwerkml.exe
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
WizardStyle=modern

[Languages]
Name: "de"; MessagesFile: "compiler:Languages\German.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\out\dist\handwerkml\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\HandwerkML"; Filename: "{app}\handwerkml.exe"
Name: "{group}\{cm:UninstallProgram,HandwerkML}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\HandwerkML"; Filename: "{app}\handwerkml.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\handwerkml.exe"; Description: "{cm:LaunchProgram,HandwerkML}"; Flags: nowait postinstall skipifsilent
