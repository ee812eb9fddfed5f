# Builds the Windows program and its installer (run on a Windows machine or CI runner).
#   build\out\dist\handwerkml\handwerkml.exe    the program (one folder: starts fast)
#   build\out\HandwerkML-Setup-<version>.exe    the installer (Inno Setup)
# Needs: Python 3.11, Inno Setup 6 (iscc.exe on PATH), and tesseract 5 with deu/eng data
# in build\windows\tesseract (tesseract.exe, its DLLs, tessdata\deu|eng.traineddata).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

# "Stop" covers PowerShell's own commands only: a program that fails (pip, PyInstaller,
# iscc) sets $LASTEXITCODE, checked after each one.
function Invoke-Step([string] $What, [scriptblock] $Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)" }
}

if (-not (Test-Path .venv)) { Invoke-Step "creating the venv" { python -m venv .venv } }
Invoke-Step "updating pip" { .venv\Scripts\python -m pip install --upgrade pip }
# torch first and pinned: PyPI's Windows wheel of 2.13.0 is the CPU build. It exports the
# model at build time only; the program does not contain it.
Invoke-Step "installing torch" { .venv\Scripts\python -m pip install "torch==2.13.0" }
Invoke-Step "installing the appliance" { .venv\Scripts\python -m pip install -e ".[export,build,test,server]" }

if (-not (Test-Path build\windows\tesseract\tesseract.exe)) {
    throw "build\windows\tesseract\tesseract.exe is missing (see the CI workflow for how to fetch it)"
}

$env:APPLIANCE_BUNDLE = "onedir"
Invoke-Step "PyInstaller" {
    .venv\Scripts\pyinstaller --noconfirm --log-level WARN `
        --workpath build\out\work --distpath build\out\dist appliance.spec
}

$version = .venv\Scripts\python -c "import appliance; print(appliance.__version__)"
if ($LASTEXITCODE -ne 0 -or -not $version) { throw "reading the version failed" }
# Inno Setup's installer does not put iscc on the PATH.
$iscc = (Get-Command iscc -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $iscc)) { throw "Inno Setup 6 (ISCC.exe) was not found" }
Invoke-Step "the installer (iscc)" { & $iscc /DAppVersion=$version build\windows\installer.iss }
