Console.WriteLine("pype");
