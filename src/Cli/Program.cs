System.Console.WriteLine("archdsl");
