console.log("plumbline CLI: under construction");
