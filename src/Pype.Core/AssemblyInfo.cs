namespace Pype.Core;
