; Inno Setup script: a per-user installer (no admin rights needed), Start menu and
; desktop shortcuts, uninstall from "Apps & features". Before it replaces or removes the
; program it stops a running copy (`handwerkml-console.exe stop`); an upgrade replaces the
; program folder whole; the uninstaller asks before it deletes the data folder
; (%LOCALAPPDATA%\HandwerkML).
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
; Versions without the console program cannot be asked to stop: Windows' Restart Manager
; closes what still holds the program's files.
CloseApplications=yes

[Languages]
Name: "de"; MessagesFile: "compiler:Languages\German.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[CustomMessages]
de.StillRunning=HandwerkML läuft noch und konnte nicht beendet werden. Bitte beenden Sie das Programm (Schaltfläche „Beenden“) und versuchen Sie es erneut.
en.StillRunning=HandwerkML is still running and could not be stopped. Please quit it (the "Quit" button) and try again.
de.DeleteData=Sollen auch die Daten von HandwerkML gelöscht werden – alle Projekte, Dokumente und Datensicherungen in diesem Ordner?
en.DeleteData=Delete HandwerkML's data as well - every project, document and backup in this folder?

[InstallDelete]
; An upgrade replaces the program folder whole: files of the old version would stay.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\out\dist\handwerkml\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\HandwerkML"; Filename: "{app}\handwerkml.exe"
Name: "{group}\{cm:UninstallProgram,HandwerkML}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\HandwerkML"; Filename: "{app}\handwerkml.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\handwerkml.exe"; Description: "{cm:LaunchProgram,HandwerkML}"; Flags: nowait postinstall skipifsilent

[Code]
function StopRunningCopy(): Boolean;
var
  Console: String;
  Code: Integer;
begin
  Result := True;
  Console := ExpandConstant('{app}\handwerkml-console.exe');
  if FileExists(Console) then
    Result := Exec(Console, 'stop', '', SW_HIDE, ewWaitUntilTerminated, Code)
      and (Code = 0);
end;

function PrepareToInstall(var NeedsRestart: Boolean): String;
begin
  Result := '';
  if not StopRunningCopy() then
    Result := ExpandConstant('{cm:StillRunning}');
end;

function InitializeUninstall(): Boolean;
begin
  Result := StopRunningCopy();
  if not Result then
    MsgBox(ExpandConstant('{cm:StillRunning}'), mbError, MB_OK);
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Data: String;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  Data := ExpandConstant('{localappdata}\HandwerkML');
  if DirExists(Data) and (MsgBox(ExpandConstant('{cm:DeleteData}') + #13#10#13#10 + Data,
      mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES) then
    DelTree(Data, True, True, True);
end;
